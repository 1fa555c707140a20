//! Why Transformers dropped the recurrent network: a gradient travelling
//! back through time.
//!
//! A recurrent network reads a sequence one step at a time,
//!
//! ```text
//! h_t = f(a_t),   a_t = W_h h_{t−1} + W_x x_t + b        h: (H),  W_h: (H, H),  x: (H)
//! ```
//!
//! so the last state `h_{T−1}` depends on `h_t` through `T−1−t` copies of
//! `W_h`. Backpropagating a loss `L = u · h_{T−1}` gives, step by step,
//!
//! ```text
//! g_{T−1} = u,      g_{t−1} = W_hᵀ (f'(a_t) ⊙ g_t)           g_t = ∂L/∂h_t
//! ```
//!
//! With `f` the identity, `g_t = (W_hᵀ)^{T−1−t} u`. Here `W_h = ρ·Q` with `Q`
//! orthogonal (every eigenvalue of `W_h` then has modulus exactly `ρ`, its
//! spectral radius), so `‖g_t‖ = ρ^{T−1−t} ‖u‖`: it shrinks exponentially
//! when ρ < 1 (vanishing) and grows exponentially when ρ > 1 (exploding).
//! With `f = tanh`, `f' ≤ 1` shrinks it further.
//!
//! Self-attention connects every position to every other in one step, so the
//! path a gradient takes between any two positions has length 1, whatever
//! their distance; and all T positions are computed at once, where the
//! recurrence needs T steps one after the other.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::device::Device;
use crate::error::{invalid, Result};
use crate::ops::matmul::{matmul, MatmulShape};

/// The non-linearity `f` of the recurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RnnActivation {
    Tanh,
    Identity,
}

/// A recurrent network with a chosen spectral radius, and the sequence it reads.
#[derive(Debug, Clone, Copy)]
pub struct RnnSetup {
    pub hidden: usize,
    pub steps: usize,
    /// ρ: the spectral radius of W_h.
    pub radius: f32,
    pub activation: RnnActivation,
    /// The inputs x_t are uniform in [−input_scale, input_scale].
    pub input_scale: f32,
    pub seed: u64,
}

/// What a backward pass through time measured, per step t = 0 … T−1.
#[derive(Debug, Clone)]
pub struct GradientThroughTime {
    pub gradient_norms: Vec<f32>, // ‖∂L/∂h_t‖
    pub state_norms: Vec<f32>,    // ‖h_t‖
}

const OP: &str = "rnnGradients";

impl RnnSetup {
    pub fn validate(&self) -> Result<()> {
        if !(1..=256).contains(&self.hidden) || !(2..=200).contains(&self.steps) {
            return Err(invalid(
                OP,
                format!(
                    "hidden must be 1–256 and steps 2–200, got hidden {} and steps {}.",
                    self.hidden, self.steps
                ),
            ));
        }
        if !(self.radius.is_finite() && (0.0..=4.0).contains(&self.radius) && self.input_scale.is_finite() && self.input_scale >= 0.0) {
            return Err(invalid(
                OP,
                format!(
                    "radius must be in [0, 4] and inputScale ≥ 0, got {} and {}.",
                    self.radius, self.input_scale
                ),
            ));
        }
        Ok(())
    }

    /// Run the recurrence forward, then backpropagate `L = u·h_{T−1}` to every h_t.
    pub fn gradients_through_time(&self, dev: &Device) -> Result<GradientThroughTime> {
        self.validate()?;
        let (h, steps) = (self.hidden, self.steps);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let w_h: Vec<f32> = orthogonal(h, &mut rng).into_iter().map(|q| self.radius * q).collect(); // (H, H)
        let w_x: Vec<f32> = (0..h * h).map(|_| rng.random_range(-1.0..1.0) / (h as f32).sqrt()).collect(); // (H, H)
        let xs: Vec<f32> = (0..steps * h).map(|_| rng.random_range(-1.0..=1.0) * self.input_scale).collect(); // (T, H)
        let u: Vec<f32> = unit((0..h).map(|_| rng.random_range(-1.0..1.0)).collect());

        // Forward: a_t = W_h h_{t−1} + W_x x_t (b = 0), h_t = f(a_t); h_{−1} = 0.
        // The input terms of all steps are one product, W_x applied to every x_t at once.
        let mut input_terms = vec![0.0; steps * h]; // (T, H) = X · W_xᵀ
        matmul(dev, &mut input_terms, &xs, &w_x, MatmulShape::linear_forward(steps, h, h), false)?;
        let mut pre = vec![0.0; steps * h]; // (T, H) the a_t
        let mut states = vec![0.0; steps * h]; // (T, H) the h_t
        for t in 0..steps {
            let a = &mut pre[t * h..(t + 1) * h];
            if t > 0 {
                // a_t = W_h h_{t−1}: must wait for step t−1 — the recurrence is sequential.
                matmul(dev, a, &w_h, &states[(t - 1) * h..t * h], MatmulShape::plain(h, h, 1), false)?;
            }
            for (a, x) in a.iter_mut().zip(&input_terms[t * h..(t + 1) * h]) {
                *a += x;
            }
            for (s, &a) in states[t * h..(t + 1) * h].iter_mut().zip(&pre[t * h..(t + 1) * h]) {
                *s = self.f(a);
            }
        }

        // Backward: g_{T−1} = u, g_{t−1} = W_hᵀ (f'(a_t) ⊙ g_t).
        let mut gradient_norms = vec![0.0; steps];
        let mut g = u;
        for t in (0..steps).rev() {
            gradient_norms[t] = norm(&g);
            if t == 0 {
                break;
            }
            let delta: Vec<f32> = g.iter().zip(&pre[t * h..(t + 1) * h]).map(|(g, &a)| g * self.f_prime(a)).collect();
            let mut previous = vec![0.0; h];
            // W_hᵀ δ, as the (1, H) row δᵀ · W_h.
            matmul(dev, &mut previous, &delta, &w_h, MatmulShape::plain(1, h, h), false)?;
            g = previous;
        }
        let state_norms = states.chunks_exact(h).map(norm).collect();
        Ok(GradientThroughTime {
            gradient_norms,
            state_norms,
        })
    }

    fn f(&self, a: f32) -> f32 {
        match self.activation {
            RnnActivation::Tanh => a.tanh(),
            RnnActivation::Identity => a,
        }
    }

    fn f_prime(&self, a: f32) -> f32 {
        match self.activation {
            RnnActivation::Tanh => 1.0 - a.tanh().powi(2),
            RnnActivation::Identity => 1.0,
        }
    }
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = norm(&v).max(1e-20);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// A random orthogonal (H, H) matrix: Gram–Schmidt on random rows (in f64, so
/// the rows stay orthogonal to float precision).
pub fn orthogonal(h: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let mut rows: Vec<Vec<f64>> = Vec::with_capacity(h);
    while rows.len() < h {
        let mut v: Vec<f64> = (0..h).map(|_| rng.random_range(-1.0..1.0)).collect();
        for _ in 0..2 {
            // twice: the second pass removes what rounding left behind
            for r in &rows {
                let along: f64 = v.iter().zip(r).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(r).for_each(|(a, b)| *a -= along * b);
            }
        }
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-6 {
            rows.push(v.into_iter().map(|x| x / n).collect());
        }
    }
    rows.into_iter().flatten().map(|x| x as f32).collect()
}
