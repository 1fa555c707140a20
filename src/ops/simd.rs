//! Four `f32` lanes at a time: the one vector type the CPU fast paths use.
//!
//! A 128-bit register holds four floats; one instruction adds or multiplies
//! all four. This file maps a tiny vocabulary — load, store, splat (copy one
//! float to all lanes), add, multiply — onto the instructions of each target:
//!
//! - wasm32 with `simd128` (every current browser): `v128` and `f32x4_*`;
//! - x86_64 (native builds and tests): SSE, part of every x86_64 CPU;
//! - anything else: a plain `[f32; 4]`, the scalar twin with the same API.
//!
//! `+` and `*` work lane by lane (`Add` and `Mul` are implemented).
//!
//! Kernels written against [`F32x4`] are therefore the same code in the
//! browser, in native tests and in benchmarks. Each lane computes exactly
//! what the scalar reference computes (a multiply, then an add), so results
//! match the reference bit for bit.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    /// Four floats in one wasm `v128`.
    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F32x4 {
            F32x4(f32x4_splat(x))
        }
        /// The first four values of `src`.
        #[inline(always)]
        pub fn load(src: &[f32]) -> F32x4 {
            let src = &src[..4];
            // SAFETY: `src` holds at least 4 floats (checked by the slice above); v128_load allows unaligned reads.
            F32x4(unsafe { v128_load(src.as_ptr() as *const v128) })
        }
        /// Write the four lanes to the first four values of `dst`.
        #[inline(always)]
        pub fn store(self, dst: &mut [f32]) {
            let dst = &mut dst[..4];
            // SAFETY: `dst` holds at least 4 floats; v128_store allows unaligned writes.
            unsafe { v128_store(dst.as_mut_ptr() as *mut v128, self.0) }
        }
        /// The sum of the four lanes, as `(l0 + l1) + (l2 + l3)`.
        #[inline(always)]
        pub fn sum(self) -> f32 {
            let mut lanes = [0.0f32; 4];
            self.store(&mut lanes);
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_add(self.0, other.0))
        }
    }

    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_mul(self.0, other.0))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::x86_64::*;

    /// Four floats in one SSE register.
    #[derive(Clone, Copy)]
    pub struct F32x4(__m128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F32x4 {
            // SAFETY: SSE is part of every x86_64 CPU (the target's baseline).
            F32x4(unsafe { _mm_set1_ps(x) })
        }
        /// The first four values of `src`.
        #[inline(always)]
        pub fn load(src: &[f32]) -> F32x4 {
            let src = &src[..4];
            // SAFETY: `src` holds at least 4 floats; _mm_loadu_ps allows unaligned reads.
            F32x4(unsafe { _mm_loadu_ps(src.as_ptr()) })
        }
        /// Write the four lanes to the first four values of `dst`.
        #[inline(always)]
        pub fn store(self, dst: &mut [f32]) {
            let dst = &mut dst[..4];
            // SAFETY: `dst` holds at least 4 floats; _mm_storeu_ps allows unaligned writes.
            unsafe { _mm_storeu_ps(dst.as_mut_ptr(), self.0) }
        }
        /// The sum of the four lanes, as `(l0 + l1) + (l2 + l3)`.
        #[inline(always)]
        pub fn sum(self) -> f32 {
            let mut lanes = [0.0f32; 4];
            self.store(&mut lanes);
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            // SAFETY: SSE is part of every x86_64 CPU.
            F32x4(unsafe { _mm_add_ps(self.0, other.0) })
        }
    }

    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            // SAFETY: SSE is part of every x86_64 CPU.
            F32x4(unsafe { _mm_mul_ps(self.0, other.0) })
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
mod imp {
    /// The scalar twin: four floats in an array, one operation per lane.
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F32x4 {
            F32x4([x; 4])
        }
        #[inline(always)]
        pub fn load(src: &[f32]) -> F32x4 {
            F32x4([src[0], src[1], src[2], src[3]])
        }
        #[inline(always)]
        pub fn store(self, dst: &mut [f32]) {
            dst[..4].copy_from_slice(&self.0);
        }
        /// The sum of the four lanes, as `(l0 + l1) + (l2 + l3)`.
        #[inline(always)]
        pub fn sum(self) -> f32 {
            let mut lanes = [0.0f32; 4];
            self.store(&mut lanes);
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            F32x4([
                self.0[0] + other.0[0],
                self.0[1] + other.0[1],
                self.0[2] + other.0[2],
                self.0[3] + other.0[3],
            ])
        }
    }

    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            F32x4([
                self.0[0] * other.0[0],
                self.0[1] * other.0[1],
                self.0[2] * other.0[2],
                self.0[3] * other.0[3],
            ])
        }
    }
}

pub use imp::F32x4;
