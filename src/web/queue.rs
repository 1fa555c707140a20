//! One call at a time per model, in the order made.
//!
//! Every call on a model takes its place in the model's [`Queue`] when it is
//! made (synchronously, in the method that returns the Promise), and starts
//! when the calls made before it have ended: fifty calls fired at once from
//! two widgets resolve in the order they were made, each with the result it
//! would have had alone — and a borrow of the model can never meet another
//! call's. (So a `generate` callback must not await another call on the
//! same model: that call waits for the `generate` to end.)
//!
//! The queue is a chain of one-shot channels: each call holds the sender
//! its successor waits on, and drops it when it ends, however it ends.

use std::cell::RefCell;
use std::future::Future;

use futures_channel::oneshot;
use js_sys::Promise;
use wasm_bindgen::JsValue;

/// The calls made on one model, in order: each waits for the one before.
#[derive(Default)]
pub(in crate::web) struct Queue {
    /// Ends when the last call made so far has ended.
    last: RefCell<Option<oneshot::Receiver<()>>>,
}

/// A call's place in its model's queue, taken when the call is made.
pub(in crate::web) struct Place {
    before: Option<oneshot::Receiver<()>>,
    done: oneshot::Sender<()>,
}

/// Held while a call runs; dropping it (the call ended, however) lets the next one start.
pub(in crate::web) struct Turn {
    _done: oneshot::Sender<()>,
}

impl Queue {
    /// A place after every call made so far.
    pub fn join(&self) -> Place {
        let (done, ended) = oneshot::channel();
        let before = self.last.replace(Some(ended));
        Place { before, done }
    }
}

impl Place {
    /// Wait until the calls before this one have ended.
    pub async fn wait(self) -> Turn {
        if let Some(before) = self.before {
            // The call before dropped its Turn: ended (its sender dropped, so Err(Canceled)).
            let _ = before.await;
        }
        Turn { _done: self.done }
    }
}

/// A model's call as a Promise: wait for the call's turn, then run `work`.
pub(in crate::web) fn queued<F>(place: Place, work: F) -> Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    wasm_bindgen_futures::future_to_promise(async move {
        let _turn = place.wait().await;
        work.await
    })
}
