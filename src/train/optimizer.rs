//! The optimizer state that lives across steps: AdamW's two moment buffers
//! and the step counter, over a model's flat [`Params`]. The update itself is
//! the op in [`ops::adamw`](crate::ops::adamw).

use crate::device::Device;
use crate::error::Result;
use crate::nn::params::Params;
use crate::ops::adamw::{self, AdamWConfig};

/// AdamW state for one model.
#[derive(Debug, Clone)]
pub struct AdamW {
    pub cfg: AdamWConfig,
    pub m: Vec<f32>,
    pub v: Vec<f32>,
    pub step: u32,
}

impl AdamW {
    pub fn new(cfg: AdamWConfig, params: &Params) -> AdamW {
        AdamW {
            cfg,
            m: vec![0.0; params.len()],
            v: vec![0.0; params.len()],
            step: 0,
        }
    }

    /// Clip by global norm, update every parameter, and return the norm
    /// measured before clipping (worth plotting: spikes mean trouble).
    pub fn update(&mut self, dev: &Device, params: &mut Params) -> Result<f32> {
        let norm = adamw::global_norm(dev, &params.grads)?;
        let scale = adamw::clip_scale(norm, self.cfg.max_grad_norm);
        self.step += 1;
        adamw::step(
            dev,
            &mut params.values,
            &params.grads,
            &mut self.m,
            &mut self.v,
            self.step,
            &self.cfg,
            scale,
        )?;
        Ok(norm)
    }
}
