//! Four `f32` lanes at a time: the one vector type the CPU fast paths use.
//!
//! A 128-bit register holds four floats; one instruction adds or multiplies
//! all four. This file maps a small vocabulary — load, store, splat (copy one
//! float to all lanes), `+ − × ÷`, multiply-add, max, min, square root, a
//! lane-wise select — onto the instructions of each target:
//!
//! - wasm32 with `simd128` (every current browser): `v128` and `f32x4_*`;
//! - x86_64 (native builds and tests): SSE2, part of every x86_64 CPU;
//! - anything else: a plain `[f32; 4]`, the scalar twin with the same API.
//!
//! On top of those, written once for all targets: the horizontal sum and max
//! of the four lanes, and `exp` (range reduction plus a polynomial, see
//! [`F32x4::exp`]).
//!
//! **Multiply-add.** `a.mul_add(b, c)` is `a·b + c`. With relaxed SIMD
//! (`-C target-feature=+relaxed-simd`, the second wasm build, chosen at
//! start-up where the browser supports it) or x86 FMA (`+fma`) it is one
//! *fused* instruction: one rounding instead of two, and twice the arithmetic
//! per instruction. Without them it is a multiply then an add, exactly what
//! the scalar reference does, so the plain build matches the reference bit for
//! bit where the order of additions is the same; the fused build agrees to
//! rounding.

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
        /// `self · b + c`: fused (one rounding) in the relaxed-SIMD build.
        #[inline(always)]
        pub fn mul_add(self, b: F32x4, c: F32x4) -> F32x4 {
            #[cfg(target_feature = "relaxed-simd")]
            {
                F32x4(f32x4_relaxed_madd(self.0, b.0, c.0))
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            {
                F32x4(f32x4_add(f32x4_mul(self.0, b.0), c.0))
            }
        }
        #[inline(always)]
        pub fn max(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_pmax(self.0, other.0))
        }
        #[inline(always)]
        pub fn min(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_pmin(self.0, other.0))
        }
        #[inline(always)]
        pub fn sqrt(self) -> F32x4 {
            F32x4(f32x4_sqrt(self.0))
        }
        /// Lane by lane: `if x >= limit { then } else { otherwise }`.
        #[inline(always)]
        pub fn select_ge(x: F32x4, limit: F32x4, then: F32x4, otherwise: F32x4) -> F32x4 {
            F32x4(v128_bitselect(then.0, otherwise.0, f32x4_ge(x.0, limit.0)))
        }
        /// `2^n` for whole numbers `n` in −126..=127 held as floats: the
        /// exponent field of an IEEE float is `n + 127`, 23 bits up.
        #[inline(always)]
        pub(super) fn pow2(n: F32x4) -> F32x4 {
            let biased = i32x4_add(i32x4_trunc_sat_f32x4(n.0), i32x4_splat(127));
            F32x4(i32x4_shl(biased, 23))
        }
        /// Round to the nearest whole number (ties to even).
        #[inline(always)]
        pub(super) fn round(self) -> F32x4 {
            F32x4(f32x4_nearest(self.0))
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_add(self.0, other.0))
        }
    }
    impl core::ops::Sub for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn sub(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_sub(self.0, other.0))
        }
    }
    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_mul(self.0, other.0))
        }
    }
    impl core::ops::Div for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn div(self, other: F32x4) -> F32x4 {
            F32x4(f32x4_div(self.0, other.0))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::x86_64::*;

    /// Four floats in one SSE register.
    #[derive(Clone, Copy)]
    pub struct F32x4(__m128);

    // SAFETY (every `unsafe` block below): SSE and SSE2 are part of every
    // x86_64 CPU (the target's baseline); FMA is used only when the build
    // enables it; loads and stores are unaligned and bounds-checked by slicing.
    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F32x4 {
            F32x4(unsafe { _mm_set1_ps(x) })
        }
        /// The first four values of `src`.
        #[inline(always)]
        pub fn load(src: &[f32]) -> F32x4 {
            let src = &src[..4];
            F32x4(unsafe { _mm_loadu_ps(src.as_ptr()) })
        }
        /// Write the four lanes to the first four values of `dst`.
        #[inline(always)]
        pub fn store(self, dst: &mut [f32]) {
            let dst = &mut dst[..4];
            unsafe { _mm_storeu_ps(dst.as_mut_ptr(), self.0) }
        }
        /// `self · b + c`: fused (one rounding) when built with `+fma`.
        #[inline(always)]
        pub fn mul_add(self, b: F32x4, c: F32x4) -> F32x4 {
            #[cfg(target_feature = "fma")]
            {
                F32x4(unsafe { _mm_fmadd_ps(self.0, b.0, c.0) })
            }
            #[cfg(not(target_feature = "fma"))]
            {
                F32x4(unsafe { _mm_add_ps(_mm_mul_ps(self.0, b.0), c.0) })
            }
        }
        #[inline(always)]
        pub fn max(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_max_ps(self.0, other.0) })
        }
        #[inline(always)]
        pub fn min(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_min_ps(self.0, other.0) })
        }
        #[inline(always)]
        pub fn sqrt(self) -> F32x4 {
            F32x4(unsafe { _mm_sqrt_ps(self.0) })
        }
        /// Lane by lane: `if x >= limit { then } else { otherwise }`.
        #[inline(always)]
        pub fn select_ge(x: F32x4, limit: F32x4, then: F32x4, otherwise: F32x4) -> F32x4 {
            unsafe {
                let keep = _mm_cmpge_ps(x.0, limit.0);
                F32x4(_mm_or_ps(_mm_and_ps(keep, then.0), _mm_andnot_ps(keep, otherwise.0)))
            }
        }
        /// `2^n` for whole numbers `n` in −126..=127 held as floats: the
        /// exponent field of an IEEE float is `n + 127`, 23 bits up.
        #[inline(always)]
        pub(super) fn pow2(n: F32x4) -> F32x4 {
            unsafe {
                let biased = _mm_add_epi32(_mm_cvtps_epi32(n.0), _mm_set1_epi32(127));
                F32x4(_mm_castsi128_ps(_mm_slli_epi32(biased, 23)))
            }
        }
        /// Round to the nearest whole number (ties to even), for |x| < 2³¹.
        #[inline(always)]
        pub(super) fn round(self) -> F32x4 {
            F32x4(unsafe { _mm_cvtepi32_ps(_mm_cvtps_epi32(self.0)) })
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_add_ps(self.0, other.0) })
        }
    }
    impl core::ops::Sub for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn sub(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_sub_ps(self.0, other.0) })
        }
    }
    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_mul_ps(self.0, other.0) })
        }
    }
    impl core::ops::Div for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn div(self, other: F32x4) -> F32x4 {
            F32x4(unsafe { _mm_div_ps(self.0, other.0) })
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
        fn map(self, other: F32x4, f: impl Fn(f32, f32) -> f32) -> F32x4 {
            F32x4([
                f(self.0[0], other.0[0]),
                f(self.0[1], other.0[1]),
                f(self.0[2], other.0[2]),
                f(self.0[3], other.0[3]),
            ])
        }
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
        #[inline(always)]
        pub fn mul_add(self, b: F32x4, c: F32x4) -> F32x4 {
            self * b + c
        }
        #[inline(always)]
        pub fn max(self, other: F32x4) -> F32x4 {
            self.map(other, f32::max)
        }
        #[inline(always)]
        pub fn min(self, other: F32x4) -> F32x4 {
            self.map(other, f32::min)
        }
        #[inline(always)]
        pub fn sqrt(self) -> F32x4 {
            self.map(self, |x, _| x.sqrt())
        }
        #[inline(always)]
        pub fn select_ge(x: F32x4, limit: F32x4, then: F32x4, otherwise: F32x4) -> F32x4 {
            let mut out = otherwise;
            for i in 0..4 {
                if x.0[i] >= limit.0[i] {
                    out.0[i] = then.0[i];
                }
            }
            out
        }
        #[inline(always)]
        pub(super) fn pow2(n: F32x4) -> F32x4 {
            n.map(n, |x, _| f32::from_bits(((x as i32 + 127) as u32) << 23))
        }
        #[inline(always)]
        pub(super) fn round(self) -> F32x4 {
            self.map(self, |x, _| x.round_ties_even())
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn add(self, other: F32x4) -> F32x4 {
            self.map(other, |a, b| a + b)
        }
    }
    impl core::ops::Sub for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn sub(self, other: F32x4) -> F32x4 {
            self.map(other, |a, b| a - b)
        }
    }
    impl core::ops::Mul for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn mul(self, other: F32x4) -> F32x4 {
            self.map(other, |a, b| a * b)
        }
    }
    impl core::ops::Div for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn div(self, other: F32x4) -> F32x4 {
            self.map(other, |a, b| a / b)
        }
    }
}

pub use imp::F32x4;

/// True in the build whose multiply-adds are fused (relaxed SIMD or x86 FMA):
/// its results agree with the reference to rounding rather than bit for bit.
pub const FUSED_MULTIPLY_ADD: bool = cfg!(any(
    all(target_arch = "wasm32", target_feature = "relaxed-simd"),
    all(target_arch = "x86_64", target_feature = "fma")
));

impl F32x4 {
    /// The sum of the four lanes, as `(l0 + l1) + (l2 + l3)`.
    #[inline(always)]
    pub fn sum(self) -> f32 {
        let mut lanes = [0.0f32; 4];
        self.store(&mut lanes);
        (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
    }

    /// The largest of the four lanes.
    #[inline(always)]
    pub fn max_lane(self) -> f32 {
        let mut lanes = [0.0f32; 4];
        self.store(&mut lanes);
        lanes[0].max(lanes[1]).max(lanes[2].max(lanes[3]))
    }

    /// `e^x` lane by lane, within 2 ulp of `f32::exp` for normal results;
    /// exactly 0 below −87.3 (so `exp(−∞) = 0`, as a masked score needs);
    /// clamped to e^88 above 88 (softmax and tanh never go there).
    ///
    /// 1. Write `x = n·ln 2 + r` with `n = round(x / ln 2)` and |r| ≤ ln2 / 2;
    ///    `ln 2` is split in a high part with few bits (so `n·ln2_hi` is exact)
    ///    and a small low part.
    /// 2. `e^r ≈ 1 + r + r²·P(r)`, P a degree-5 polynomial (the classic
    ///    Cephes `expf` coefficients), evaluated by Horner's rule.
    /// 3. `e^x = 2^n · e^r`, with `2^n` built directly from its bits.
    #[inline(always)]
    pub fn exp(self) -> F32x4 {
        const LOWEST: f32 = -87.33654; // ln of the smallest normal float
        const HIGHEST: f32 = 88.0; // e^88 ≈ 1.7e38 still fits; larger x gives e^88
        const LN2_HI: f32 = 0.693_359_4;
        const LN2_LO: f32 = -2.121_944_4e-4;
        let s = F32x4::splat;
        let x = self.max(s(LOWEST)).min(s(HIGHEST));
        let n = (x * s(std::f32::consts::LOG2_E)).round();
        let r = x - n * s(LN2_HI) - n * s(LN2_LO);
        let mut p = s(1.987_569_1e-4);
        p = p.mul_add(r, s(1.398_199_9e-3));
        p = p.mul_add(r, s(8.333_452e-3));
        p = p.mul_add(r, s(4.166_579_6e-2));
        p = p.mul_add(r, s(1.666_666_5e-1));
        p = p.mul_add(r, s(0.5));
        let e_r = (p * r).mul_add(r, r) + s(1.0);
        let result = e_r * F32x4::pow2(n);
        F32x4::select_ge(self, s(LOWEST), result, s(0.0))
    }
}
