//! The root finder: bracket, then Brent's method, which keeps the root bracketed at every
//! step and so cannot diverge, whatever the schedule.

use super::AprError;

/// Rates per unit period are searched up to this (1,000,000%): beyond it no loan is real.
const MAX_RATE: f64 = 1e4;
/// Absolute tolerance on the periodic rate; far below the 0.005 percentage points shown.
const TOLERANCE: f64 = 1e-15;
const MAX_ITERATIONS: usize = 200;

/// The smallest positive `i` with `gap(i) = 0`, for a `gap` that is positive at 0 (the payments
/// are worth more than the advances when nothing is discounted).
pub(super) fn positive_root(gap: impl Fn(f64) -> f64) -> Result<f64, AprError> {
    let (lo, hi) = bracket(&gap)?;
    brent(&gap, lo, hi)
}

/// An interval [lo, hi] with gap(lo) > 0 >= gap(hi), found by doubling from a small rate.
fn bracket(gap: &impl Fn(f64) -> f64) -> Result<(f64, f64), AprError> {
    let mut lo = 0.0;
    let mut hi = 1e-3;
    while hi <= MAX_RATE {
        let value = gap(hi);
        if value.is_nan() {
            return Err(AprError::NoRate);
        }
        if value <= 0.0 {
            return Ok((lo, hi));
        }
        lo = hi;
        hi *= 2.0;
    }
    Err(AprError::NoRate)
}

/// Brent's method (inverse quadratic interpolation, secant, bisection) on a bracketing interval.
fn brent(gap: &impl Fn(f64) -> f64, lo: f64, hi: f64) -> Result<f64, AprError> {
    let (mut a, mut b) = (lo, hi);
    let (mut fa, mut fb) = (gap(a), gap(b));
    if fb == 0.0 {
        return Ok(b);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..MAX_ITERATIONS {
        if fb.signum() == fc.signum() {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let tolerance = 2.0 * f64::EPSILON * b.abs() + 0.5 * TOLERANCE;
        let half = 0.5 * (c - b);
        if half.abs() <= tolerance || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tolerance && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * half * s, 1.0 - s)
            } else {
                let q = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * half * q * (q - r) - (b - a) * (r - 1.0)),
                    (q - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            let interpolation_ok =
                2.0 * p < (3.0 * half * q - (tolerance * q).abs()).min((e * q).abs());
            if interpolation_ok {
                e = d;
                d = p / q;
            } else {
                d = half;
                e = d;
            }
        } else {
            d = half;
            e = d;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tolerance {
            d
        } else {
            tolerance.copysign(half)
        };
        fb = gap(b);
        if fb.is_nan() {
            return Err(AprError::NoRate);
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_roots_of_steep_and_flat_functions() {
        let root = positive_root(|x| 2.0 - x * x).unwrap();
        assert!((root - 2f64.sqrt()).abs() < 1e-14, "{root}");
        let root = positive_root(|x| (-50.0 * x).exp() - 0.5).unwrap();
        assert!((root - 2f64.ln() / 50.0).abs() < 1e-14, "{root}");
    }

    #[test]
    fn no_root_is_an_error_not_a_loop() {
        assert_eq!(positive_root(|x| 1.0 + x), Err(AprError::NoRate));
        assert_eq!(positive_root(|_| f64::NAN), Err(AprError::NoRate));
    }
}
