//! The optimizer state that lives across steps: AdamW's two moment buffers
//! and the step counter, over a model's flat [`Params`], on the model's
//! device. The update itself is the op in [`ops::adamw`](crate::ops::adamw).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::params::Params;
use crate::ops::adamw::{self, AdamWConfig};

/// AdamW state for one model.
#[derive(Debug, Clone)]
pub struct AdamW {
    pub cfg: AdamWConfig,
    pub m: Tensor,
    pub v: Tensor,
    pub step: u32,
    /// Σ g² of the last step (one value; on the GPU it never leaves it).
    pub norm_sq: Tensor,
}

impl AdamW {
    /// An optimizer for a model of `_params`' layout. The moments (twice
    /// the model's size) are made at the first update: a model that is only
    /// read never pays for them.
    pub fn new(cfg: AdamWConfig, _params: &Params, dev: &Device) -> AdamW {
        AdamW {
            cfg,
            m: Tensor::Host(Vec::new()),
            v: Tensor::Host(Vec::new()),
            step: 0,
            norm_sq: Tensor::zeros(dev, 1),
        }
    }

    /// Clip by global norm and update every parameter.
    pub fn update(&mut self, dev: &Device, params: &mut Params) -> Result<()> {
        if self.m.len() != params.len() {
            // The first update (or the first since the moments were released): m = v = 0.
            self.m = Tensor::zeros(dev, params.len());
            self.v = Tensor::zeros(dev, params.len());
        }
        self.step += 1;
        match dev {
            Device::Cpu => {
                let grads = params.grads.host()?;
                let norm = adamw::global_norm(dev, grads)?;
                self.norm_sq.host_mut()?[0] = norm * norm;
                let scale = adamw::clip_scale(norm, self.cfg.max_grad_norm);
                adamw::step(
                    dev,
                    params.values.host_mut()?,
                    grads,
                    self.m.host_mut()?,
                    self.v.host_mut()?,
                    self.step,
                    &self.cfg,
                    scale,
                )
            }
            Device::Gpu(gpu) => {
                let (values, grads, m, v, norm_sq) = (
                    params.values.gpu()?,
                    params.grads.gpu()?,
                    self.m.gpu()?,
                    self.v.gpu()?,
                    self.norm_sq.gpu()?,
                );
                gpu.record(|e| adamw::step_gpu(gpu, e, values, grads, m, v, norm_sq, self.step, &self.cfg))
            }
        }
    }

    /// The global gradient norm of the last step, before clipping (worth
    /// plotting: spikes mean trouble).
    pub async fn grad_norm(&self, dev: &Device) -> Result<f32> {
        Ok(self.norm_sq.to_host(dev).await?[0].sqrt())
    }

    /// The moments on the host, e.g. to continue on another device.
    pub async fn moments_to_host(&self, dev: &Device) -> Result<(Vec<f32>, Vec<f32>)> {
        Ok((self.m.to_host(dev).await?, self.v.to_host(dev).await?))
    }

    /// Continue on `dev` from host moments.
    pub fn move_to(&mut self, dev: &Device, m: Vec<f32>, v: Vec<f32>) {
        // Moments not made yet (no update so far) stay unmade.
        let place = |values: Vec<f32>| {
            if values.is_empty() {
                Tensor::Host(values)
            } else {
                Tensor::from_host(dev, values)
            }
        };
        self.m = place(m);
        self.v = place(v);
        self.norm_sq = Tensor::zeros(dev, 1);
    }
}
