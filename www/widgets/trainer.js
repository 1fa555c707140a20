// GfTrainerWidget: the life of a widget that trains a model while the
// student watches (the translator, the GPT, BERT's fine-tuning). It owns
// the training loop, pause and resume, and the run's history of points
// for the loss curve (loss-curve.js draws it); a subclass says what one
// training call is and what to show after it.
//
// The loop makes short calls, each awaited, with a pause for the browser
// between them, so the page never freezes: each call trains `chunk` steps,
// and the next chunk is sized so that a call takes about CALL_MS. Pausing
// simply stops making calls; the call in flight finishes first.
//
//   Train ──▶ _trainee() ─▶ ┌ _trainCall(trainee, chunk) → result ┐
//                           │ history ← _point(result), gf-update │ until paused, finished,
//                           └ _afterCall(result) ─ page breathes ─┘ failed or removed
//             ─▶ _trainingEnded(trainee) ─▶ gf-idle
//
// Subclasses give:
//   _trainee()                   async: what trains (a model, a worker's copy…), or null to not start
//   _isTrainee(trainee)          whether it is still the widget's (a new model stops the run)
//   _trainCall(trainee, chunk)   async: one call, → a result with at least `step`
//   _point(result)               the history entry for the curve (default { step, loss })
//   _afterCall(result, chunk)    async: draw; return false to stop (a target reached)
//   _trainingEnded(trainee, failed)  async: after the loop (copy weights back, redraw)
//   _enable()                    set the buttons from the state (training, busy, …)
// and the statics CALL_MS, MAX_CHUNK (default 60 ms, 50 steps) or FIXED_CHUNK.

import { GfWidget, yieldToBrowser } from "./base.js";

export class GfTrainerWidget extends GfWidget {
  static CALL_MS = 60;
  static MAX_CHUNK = 50;
  /** A fixed number of steps per call, instead of sizing calls by time. */
  static FIXED_CHUNK = null;

  constructor() {
    super();
    this._training = false; // the loop is running or about to
    this._loop = null; // the running loop's promise
    this._history = []; // one point per training call
    this._trainMs = 0; // time spent in training calls
  }

  /** Forget the run (a new model starts its own). */
  _resetHistory() {
    this._history = [];
    this._trainMs = 0;
  }

  /** The run so far: one entry per training call (a copy). */
  get lossHistory() {
    return this._history.map((point) => ({ ...point }));
  }

  /** Whether training is on (Train pressed, not yet paused or stopped). */
  get training() {
    return this._training;
  }

  /** The Train / Pause button's action. */
  _toggleTraining() {
    if (this._training) this._pauseTraining();
    else this._startTraining();
  }

  _pauseTraining() {
    this._training = false;
    this._enable();
  }

  /** Stop training and wait until the call in flight has ended (before a model is replaced). */
  async _stopTraining() {
    this._training = false;
    while (this._loop) await this._loop;
  }

  _startTraining() {
    if (this._training || this._loop) return;
    this._training = true;
    this._clearError();
    this._enable();
    this._loop = this._trainingLoop().finally(() => {
      this._loop = null;
      this._training = false;
      if (this.isConnected) this._enable();
      this._idle(); // training has stopped: paused, finished, failed, or the widget left the page
    });
  }

  async _trainingLoop() {
    const gone = this._goneTest();
    let trainee = null, failed = false;
    try {
      trainee = await this._trainee();
      if (!trainee || gone()) return;
      const { CALL_MS, MAX_CHUNK, FIXED_CHUNK } = this.constructor;
      let chunk = FIXED_CHUNK ?? 1;
      while (this._training && !gone() && this._isTrainee(trainee)) {
        const started = performance.now();
        const result = await this._trainCall(trainee, chunk);
        if (gone() || !this._isTrainee(trainee)) return; // removed from the page, or another model came
        const ms = performance.now() - started;
        this._trainMs += ms;
        const done = chunk;
        if (!FIXED_CHUNK) chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round((chunk * CALL_MS) / Math.max(ms, 1))));
        this._record(this._point(result));
        this._updated(result);
        if ((await this._afterCall(result, done)) === false) this._training = false;
        if (gone()) return;
        if (this._training) await yieldToBrowser();
      }
    } catch (error) {
      if (gone() || (trainee && !this._isTrainee(trainee))) return;
      failed = true;
      this._showError(error);
    } finally {
      this._training = false;
      if (!gone() && trainee) await this._trainingEnded(trainee, failed);
    }
  }

  /**
   * Add a point to the history. A model that lost its GPU goes back to its
   * last snapshot, so the points at or after the new step are dropped first.
   */
  _record(point) {
    while (this._history.length && this._history.at(-1).step >= point.step) this._history.pop();
    this._history.push(point);
  }

  // What subclasses fill in.
  async _trainee() { return null; }
  _isTrainee() { return false; }
  async _trainCall() { throw new Error("a trainer widget must say what one training call is"); }
  _point(result) { return { step: result.step, loss: result.loss }; }
  async _afterCall() { return true; }
  async _trainingEnded() {}
  _enable() {}
}
