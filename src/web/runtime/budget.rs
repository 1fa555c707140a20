//! The runtime's memory budget: how many bytes its models and calls may
//! hold in wasm memory together.
//!
//! Wasm memory only grows: a model too big for the tab would take the
//! memory for good before failing (or, past wasm32's 4 GiB, make the
//! allocator abort). So every constructor, loader and big kernel call first
//! estimates what it will hold (`train::footprint`) and is refused with a
//! readable Error when that is more than the budget leaves after what is in
//! use already.
//!
//! The budget is the smaller of what wasm can address (4 GiB; 1 GiB in the
//! threaded build, whose shared memory is declared with that maximum) and
//! three quarters of the device's memory where the browser says
//! (`navigator.deviceMemory`, in GiB, which Chromium rounds and caps at 8):
//! a phone with 4 GB gets 3 GiB. `Runtime.create(preference, { memoryBudget })`
//! sets another, in bytes, up to the wasm limit.

use crate::error::{invalid, Result};
use crate::train::footprint::{megabytes, Footprint};
use crate::web::memory::wasm_bytes_in_use;

/// What wasm32 linear memory can address in this build.
#[cfg(not(feature = "threads"))]
const WASM_LIMIT: f64 = 4.0 * GIB;
#[cfg(feature = "threads")]
const WASM_LIMIT: f64 = 1.0 * GIB;
const GIB: f64 = (1u64 << 30) as f64;

/// The bytes the runtime's models may hold, and where the figure comes from.
#[derive(Debug, Clone)]
pub(in crate::web) struct Budget {
    pub bytes: f64,
    pub source: String,
}

impl Budget {
    /// The budget asked for in `Runtime.create`'s options, or this browser's.
    pub fn new(asked: Option<f64>) -> Result<Budget> {
        if let Some(bytes) = asked {
            if !(16e6..=WASM_LIMIT).contains(&bytes) {
                return Err(invalid(
                    "Runtime.create",
                    format!(
                        "memoryBudget {bytes} must be a number of bytes from 16 MB to {} (what wasm memory can address in this build).",
                        megabytes(WASM_LIMIT)
                    ),
                ));
            }
            return Ok(Budget {
                bytes,
                source: "as asked in Runtime.create".into(),
            });
        }
        let device = device_memory_gib().map(|gib| 0.75 * gib * GIB);
        Ok(match device {
            Some(bytes) if bytes < WASM_LIMIT => Budget {
                bytes,
                source: format!("three quarters of this device's {} GB", bytes / 0.75 / GIB),
            },
            _ => Budget {
                bytes: WASM_LIMIT,
                source: "what wasm memory can address".into(),
            },
        })
    }

    /// Refuse `op` if what it will hold is more than the budget leaves;
    /// `advice` says how to make it smaller ("Use a smaller dModel …").
    pub fn check(&self, op: &'static str, need: &Footprint, advice: &str) -> Result<()> {
        let in_use = wasm_bytes_in_use() as f64;
        let left = (self.bytes - in_use).max(0.0);
        if need.total() <= left {
            return Ok(());
        }
        Err(invalid(
            op,
            format!(
                "this would hold about {} ({}), more than the memory budget leaves: {} of {} ({}), {} already in use. \
                 {advice}, dispose() models no longer needed, or give Runtime.create a larger memoryBudget (at most {}).",
                megabytes(need.total()),
                need.describe(),
                megabytes(left),
                megabytes(self.bytes),
                self.source,
                megabytes(in_use),
                megabytes(WASM_LIMIT),
            ),
        ))
    }
}

/// `navigator.deviceMemory`, where the browser gives it.
fn device_memory_gib() -> Option<f64> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gib = js_sys::Reflect::get(&navigator, &"deviceMemory".into()).ok()?.as_f64()?;
    (gib.is_finite() && gib > 0.0).then_some(gib)
}
