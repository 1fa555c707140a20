//! The learning-rate schedule of the original Transformer paper ("Attention
//! Is All You Need", section 5.3): rise linearly for `warmup` steps, then
//! fall as one over the square root of the step.
//!
//! ```text
//! lr(step) = scale · d_model^−½ · min(step^−½, step · warmup^−³ᐟ²)      step = 1, 2, …
//! ```
//!
//! The two terms meet at `step = warmup`, the peak: `scale / √(d_model · warmup)`.
//! Warm-up keeps the first updates small while Adam's running averages are
//! still poor estimates; the slow decay lets training settle.

/// Warm-up then inverse-square-root decay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InverseSqrtSchedule {
    pub d_model: usize,
    pub warmup: u32,
    /// 1 in the paper; larger for small models trained briefly.
    pub scale: f32,
}

impl InverseSqrtSchedule {
    /// The learning rate for `step` (counted from 1).
    pub fn lr(&self, step: u32) -> f32 {
        let step = step.max(1) as f32;
        let warmup = self.warmup.max(1) as f32;
        self.scale / (self.d_model as f32).sqrt() * (1.0 / step.sqrt()).min(step * warmup.powf(-1.5))
    }
}

/// GPT-style: rise linearly to `peak` over `warmup` steps, then follow half a
/// cosine down to `floor` at `total` steps, and stay there.
///
/// ```text
/// lr(step) = peak · step / warmup                                   step ≤ warmup
///          = floor + ½ (peak − floor)(1 + cos(π · progress))         progress = (step − warmup) / (total − warmup)
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineSchedule {
    pub peak: f32,
    pub floor: f32,
    pub warmup: u32,
    pub total: u32,
}

impl CosineSchedule {
    /// The learning rate for `step` (counted from 1).
    pub fn lr(&self, step: u32) -> f32 {
        let step = step.max(1);
        if step <= self.warmup {
            return self.peak * step as f32 / self.warmup.max(1) as f32;
        }
        let span = self.total.saturating_sub(self.warmup).max(1) as f32;
        let progress = ((step - self.warmup) as f32 / span).min(1.0);
        self.floor + 0.5 * (self.peak - self.floor) * (1.0 + (std::f32::consts::PI * progress).cos())
    }
}
