//! Exact decimals for sums: HubSpot keeps numbers as decimal text (`"1234.56"`), and a sum of many
//! of them in `f64` drifts by cents. A [`Decimal`] is an `i128` count of `10^-scale` units, read from
//! that text without rounding (up to 20 digits before the point and [`MAX_SCALE`] after it, an
//! exponent allowed); sums are exact, and only an average is rounded, as it says.

use std::cmp::Ordering;

/// The most digits after the point a value may have.
pub(super) const MAX_SCALE: u32 = 18;
/// The most digits before the point a value may have (so any value rescales to [`MAX_SCALE`] within
/// `i128`).
const MAX_INT_DIGITS: u32 = 20;

/// `units / 10^scale`, exactly.
#[derive(Debug, Clone, Copy)]
pub(super) struct Decimal {
    units: i128,
    scale: u32,
}

/// A sum that no longer fits 38 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Overflow;

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Decimal {
    /// Zero (the start of a sum).
    pub(super) const ZERO: Decimal = Decimal { units: 0, scale: 0 };

    /// Reads HubSpot's text of a number: `-12`, `1234.56`, `.5`, `1.5E3`; `None` for anything else,
    /// or a value past 20 integer digits or 18 decimals (after trailing zeros are dropped).
    pub(super) fn parse(raw: &str) -> Option<Decimal> {
        let s = raw.trim();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => {
                let e = s.get(i + 1..)?;
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty()
                    || digits.len() > 3
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                (s.get(..i)?, e.parse::<i32>().ok()?)
            }
            None => (s, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        // Leading zeros and trailing decimal zeros change nothing; drop them before counting digits.
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = i64::try_from(frac.len()).ok()? - i64::from(exp);
        if scale < 0 {
            units = units.checked_mul(pow10(u32::try_from(-scale).ok()?)?)?;
            scale = 0;
        }
        let mut d = Decimal {
            units: if negative { -units } else { units },
            scale: u32::try_from(scale).ok()?,
        };
        d.trim();
        let int_digits = d.units.unsigned_abs().checked_ilog10().map_or(0, |l| l + 1);
        (d.scale <= MAX_SCALE && int_digits.saturating_sub(d.scale) <= MAX_INT_DIGITS).then_some(d)
    }

    /// Drops trailing zero decimals (`1.50` → `1.5`).
    fn trim(&mut self) {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
    }

    /// The units at `scale` (≥ own scale), or `None` when they do not fit.
    fn units_at(self, scale: u32) -> Option<i128> {
        self.units
            .checked_mul(pow10(scale.checked_sub(self.scale)?)?)
    }

    /// `self + other`, exactly.
    pub(super) fn add(self, other: Decimal) -> Result<Decimal, Overflow> {
        let scale = self.scale.max(other.scale);
        let units = self
            .units_at(scale)
            .zip(other.units_at(scale))
            .and_then(|(a, b)| a.checked_add(b))
            .ok_or(Overflow)?;
        Ok(Decimal { units, scale })
    }

    /// `self / n`, rounded half away from zero to two more decimals than `self` has (at most
    /// [`MAX_SCALE`] + 2); `None` for `n == 0`.
    pub(super) fn div_rounded(self, n: u64) -> Option<Decimal> {
        let n = i128::from(n);
        if n == 0 {
            return None;
        }
        // Two more decimals when the units allow it, else as many as the value has.
        let (units, scale) = match self.units.checked_mul(100) {
            Some(u) => (u, self.scale + 2),
            None => (self.units, self.scale),
        };
        let (q, r) = (units / n, units % n);
        let q = if 2 * r.abs() >= n {
            q + units.signum()
        } else {
            q
        };
        let mut d = Decimal { units: q, scale };
        d.trim();
        Some(d)
    }

    /// Compares exactly (parsed values always rescale within `i128`).
    pub(super) fn cmp(self, other: Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        match (self.units_at(scale), other.units_at(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Past i128 only a sum could be, and sums are not compared; keep a total order anyway.
            _ => (self.units as f64 / 10f64.powi(self.scale as i32))
                .total_cmp(&(other.units as f64 / 10f64.powi(other.scale as i32))),
        }
    }
}

impl std::fmt::Display for Decimal {
    /// Plain decimal text without trailing zeros, as HubSpot writes numbers: `1234.5`, `-0.05`, `12`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = *self;
        d.trim();
        let digits = d.units.unsigned_abs().to_string();
        let sign = if d.units < 0 { "-" } else { "" };
        let scale = d.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn hubspot_numbers_are_read_exactly() {
        for (raw, shown) in [
            ("1234.56", "1234.56"),
            ("1234.50", "1234.5"),
            ("1200", "1200"),
            (" 99.5 ", "99.5"),
            ("-0.05", "-0.05"),
            ("+7", "7"),
            (".5", "0.5"),
            ("5.", "5"),
            ("0", "0"),
            ("-0", "0"),
            ("1.5E3", "1500"),
            ("1.25e-2", "0.0125"),
            ("007.10", "7.1"),
            ("12345678901234567890", "12345678901234567890"),
            ("0.000000000000000001", "0.000000000000000001"),
        ] {
            assert_eq!(d(raw).to_string(), shown, "{raw}");
        }
        for bad in [
            "",
            "-",
            ".",
            "abc",
            "1,000",
            "1.2.3",
            "NaN",
            "inf",
            "1e",
            "1e1000",
            "0x10",
            "1 2",
            "123456789012345678901",
            "0.0000000000000000001",
        ] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn sums_are_exact_where_f64_drifts() {
        // 0.1 added ten thousand times: f64 drifts, the decimal does not.
        let mut sum = Decimal::ZERO;
        let mut float = 0.0f64;
        for _ in 0..10_000 {
            sum = sum.add(d("0.1")).unwrap();
            float += 0.1;
        }
        assert_eq!(sum.to_string(), "1000");
        assert_ne!(float, 1000.0);
        let mixed = d("1234.56")
            .add(d("99.5"))
            .unwrap()
            .add(d("-1200"))
            .unwrap();
        assert_eq!(mixed.to_string(), "134.06");
        let big = Decimal {
            units: i128::MAX - 1,
            scale: 0,
        };
        assert_eq!(big.add(d("2")).err(), Some(Overflow));
    }

    #[test]
    fn averages_round_half_away_from_zero_and_order_is_exact() {
        assert_eq!(d("10").div_rounded(3).unwrap().to_string(), "3.33");
        assert_eq!(d("20").div_rounded(3).unwrap().to_string(), "6.67");
        assert_eq!(d("-20").div_rounded(3).unwrap().to_string(), "-6.67");
        assert_eq!(d("0.05").div_rounded(2).unwrap().to_string(), "0.025");
        assert_eq!(d("1.005").div_rounded(1).unwrap().to_string(), "1.005");
        assert_eq!(d("0.01").div_rounded(8).unwrap().to_string(), "0.0013");
        assert!(d("1").div_rounded(0).is_none());
        assert_eq!(d("99.5").cmp(d("99.50")), Ordering::Equal);
        assert_eq!(d("99.5").cmp(d("100")), Ordering::Less);
        assert_eq!(d("-1").cmp(d("0.000000000000000001")), Ordering::Less);
    }
}
