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
//   _afterCall(result, chunk)    async: draw; return false to stop (`_atStop` says when a stop is reached)
//   _trainingEnded(trainee, failed)  async: after the loop (copy weights back, redraw)
//   _enable()                    set the buttons from the state (training, busy, …)
//   _currentStep()               the step the run is at (default: the last call's, else 0)
//   _targets()                   steps where a run pauses of itself (default none)
// and the statics CALL_MS, MAX_CHUNK (default 60 ms, 50 steps) or FIXED_CHUNK.
//
// A shared run. "Copy link" (share.js) writes the step the run has reached
// as the attribute `train-to`; the copy, once its model has loaded, calls
// `_replay(step)`, which trains as if Train were pressed and pauses at that
// step (paused on the way, Train goes on towards it; once there, Train goes
// on past it). A call never passes a stop: the loop cuts the call before it
// to end there exactly (`_stepsLeft`), so the copy stops on the same step,
// not near it. Where the calls fall does not change the run: a call of the
// translator or the GPT goes on from the model's own state (its optimizer's
// moments, its place in the shuffled data, its random generator) and
// reports its last step's loss, so a hundred calls of 3 steps and one call
// of 300 end on the same weights and the same loss (the kernels do the same
// arithmetic in the same order every time, on the same build and backend).
// BERT's fine-tuning starts a fresh shuffle of its examples at every call,
// so its calls are always ten steps (FIXED_CHUNK), in the copy too.
//
// What a link cannot carry is the machine. Two runs agree to the last bit
// on the same wasm build and backend. A GPU rounds differently from the CPU
// (and one GPU or driver from another); the relaxed-SIMD build's fused
// multiply-add rounds once where the plain build rounds twice (`?simd=plain`
// forces the plain one): such runs end close, not equal, drifting apart a
// little more with each step. (Where the runtime is "auto" and a real GPU
// is there, a new model first times a training step on each backend; its
// parameters, moments and data order are put back after, so a run that
// then trains on the CPU equals a CPU-only page's.) Runs that must agree
// across machines are made and opened with `?backend=cpu`. (The
// GPT trains further in a CPU worker everywhere: only the build matters.)

import { GfWidget, yieldToBrowser } from "./base.js";

/** The largest `train-to` a widget accepts (a mistyped one should not train for days). */
const MAX_TRAIN_TO = 100_000;

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
    this._replayTo = null; // the step of a shared run being trained to again, or null
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

  /** The `train-to` attribute: the step of a shared run, a whole number from 1 to 100,000, else null. */
  get trainTo() {
    const raw = this.getAttribute("train-to");
    const n = raw === null || raw.trim() === "" ? NaN : Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= MAX_TRAIN_TO ? n : null;
  }

  /**
   * Train again to the step of a shared run (`train-to`), as if Train were
   * pressed, and pause there; `step`: where the run is now. A run there
   * already, or past it, stays as it is.
   */
  _replay(step) {
    if (this._training) return;
    const goal = this.trainTo;
    this._replayTo = null;
    if (goal === null || step >= goal) return;
    this._replayTo = goal;
    this._startTraining();
    if (!this._training) this._replayTo = null; // the widget could not start (busy, no model)
  }

  /** The steps the run pauses at: the shared run's while it is trained to again, else the widget's own. */
  _stops() {
    return this._replayTo === null ? this._targets() : [this._replayTo];
  }

  /** How many steps the next call may take without passing a stop (Infinity: no stop ahead). */
  _stepsLeft() {
    const now = this._currentStep();
    const ahead = this._stops().filter((stop) => stop > now);
    return ahead.length ? Math.min(...ahead) - now : Infinity;
  }

  /**
   * Whether the call that took `steps` steps and ended on `step` reached a
   * stop (it pauses the run once: Train goes on past it).
   */
  _atStop(step, steps) {
    const reached = this._stops().some((stop) => step >= stop && step - steps < stop);
    if (reached) this._replayTo = null;
    return reached;
  }

  /**
   * The step to write as `train-to` when the widget is copied: where the run
   * is (or, replaying a shared run, where it is going); null if it has not
   * trained past `start`, where its model began.
   */
  _sharedStep(start) {
    const step = Math.max(this._currentStep(), this._replayTo ?? 0);
    return step > start ? step : null;
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
    this._replayTo = null;
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
        // A call sized by time is cut to end on the next stop exactly.
        const steps = FIXED_CHUNK ?? Math.max(1, Math.min(chunk, this._stepsLeft()));
        const started = performance.now();
        const result = await this._trainCall(trainee, steps);
        if (gone() || !this._isTrainee(trainee)) return; // removed from the page, or another model came
        const ms = performance.now() - started;
        this._trainMs += ms;
        if (!FIXED_CHUNK) chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round((steps * CALL_MS) / Math.max(ms, 1))));
        this._record(this._point(result));
        this._updated(result);
        if ((await this._afterCall(result, steps)) === false) this._training = false;
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
  _currentStep() { return this._history.at(-1)?.step ?? 0; }
  _targets() { return []; }
}
