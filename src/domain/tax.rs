//! Tax per product, computed per bill line (PRODUCT.md, "Tax"): a rate in basis points
//! (`18` % = 1800 bp), an optional tax code (an HSN/SAC code), the tax of each line rounded
//! half-up to a minor unit, and the summary per rate that GST-style invoices print. No floats.

use super::Money;
use serde::{Deserialize, Serialize};

/// The highest rate accepted: 100 %.
pub const MAX_RATE_BP: u32 = 10_000;
/// The longest tax code kept (HSN codes are 4–8 digits, SAC codes 6).
pub const MAX_TAX_CODE_CHARS: usize = 20;

/// A percentage typed as `18`, `5.5`, `12.25` or `18%`, as basis points.
pub fn parse_rate(text: &str) -> Result<u32, String> {
    let v = text.trim().trim_end_matches('%').trim();
    let err =
        || "Enter a percentage from 0 to 100 with at most two decimals, e.g. 18 or 5.5".to_owned();
    let (whole, fraction) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || fraction.len() > 2 || !digits(whole) || !digits(fraction) {
        return Err(err());
    }
    let whole: u32 = whole.parse().map_err(|_| err())?;
    let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| err())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(fraction))
        .filter(|bp| *bp <= MAX_RATE_BP)
        .ok_or_else(err)
}

/// Basis points as a percentage without trailing zeros: 1800 → "18", 1250 → "12.5".
pub fn percent(rate_bp: u32) -> String {
    let text = Money::from_minor(i64::from(rate_bp)).to_plain();
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A tax code as typed: empty is none; otherwise letters, digits, spaces, `-`, `.` and `/`.
pub fn parse_tax_code(text: &str) -> Result<Option<String>, &'static str> {
    let code = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if code.is_empty() {
        return Ok(None);
    }
    if code.chars().count() > MAX_TAX_CODE_CHARS {
        return Err("Use at most 20 characters");
    }
    if !code
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
    {
        return Err("Use letters, digits, spaces and - . / only");
    }
    Ok(Some(code))
}

/// Tax on `amount` at `rate_bp` basis points, rounded half-up to a minor unit.
pub fn tax_on(amount: Money, rate_bp: u32) -> Money {
    let value = i128::from(amount.minor()) * i128::from(rate_bp);
    let rounded = (2 * value + 10_000).div_euclid(20_000);
    Money::from_minor(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// One line's taxable value and tax at its rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxedLine {
    pub taxable: Money,
    pub rate_bp: u32,
    pub tax: Money,
}

/// The lines of one rate added up: what invoices print under the lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateSummary {
    pub rate_bp: u32,
    pub taxable: Money,
    pub tax: Money,
}

/// The lines summed per rate, lowest rate first (saturating: bounded by the bill limits).
pub fn summarize<'a>(lines: impl IntoIterator<Item = &'a TaxedLine>) -> Vec<RateSummary> {
    let mut rates: Vec<RateSummary> = Vec::new();
    for line in lines {
        match rates.iter_mut().find(|r| r.rate_bp == line.rate_bp) {
            Some(r) => {
                r.taxable =
                    Money::from_minor(r.taxable.minor().saturating_add(line.taxable.minor()));
                r.tax = Money::from_minor(r.tax.minor().saturating_add(line.tax.minor()));
            }
            None => rates.push(RateSummary {
                rate_bp: line.rate_bp,
                taxable: line.taxable,
                tax: line.tax,
            }),
        }
    }
    rates.sort_by_key(|r| r.rate_bp);
    rates
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rates_are_percentages_kept_as_basis_points() {
        assert_eq!(parse_rate("18"), Ok(1_800));
        assert_eq!(parse_rate(" 5.5% "), Ok(550));
        assert_eq!(parse_rate("12.25"), Ok(1_225));
        assert_eq!(parse_rate("0"), Ok(0));
        for bad in ["", "12.345", "-1", "101", "abc", "1e2", "."] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(percent(1_800), "18");
        assert_eq!(percent(1_250), "12.5");
        assert_eq!(percent(0), "0");
    }

    #[test]
    fn tax_codes_are_short_plain_text() {
        assert_eq!(parse_tax_code(" 0401  10 "), Ok(Some("0401 10".into())));
        assert_eq!(parse_tax_code(""), Ok(None));
        assert!(parse_tax_code("<b>").is_err());
        assert!(parse_tax_code(&"9".repeat(21)).is_err());
    }

    #[test]
    fn tax_rounds_half_up_to_a_minor_unit() {
        assert_eq!(
            tax_on(Money::from_minor(10_000), 1_800),
            Money::from_minor(1_800)
        );
        assert_eq!(tax_on(Money::from_minor(1), 5_000), Money::from_minor(1));
        assert_eq!(tax_on(Money::from_minor(1), 4_900), Money::ZERO);
    }

    proptest! {
        #[test]
        fn the_summary_per_rate_adds_up_to_the_lines(
            lines in prop::collection::vec((0i64..10_000_000, prop::sample::select(vec![0u32, 500, 1_200, 1_800, 2_800])), 0..30),
        ) {
            let taxed: Vec<TaxedLine> = lines.iter().map(|&(taxable, rate_bp)| TaxedLine {
                taxable: Money::from_minor(taxable), rate_bp, tax: tax_on(Money::from_minor(taxable), rate_bp),
            }).collect();
            let summary = summarize(&taxed);
            let sum = |f: fn(&TaxedLine) -> i64| taxed.iter().map(f).sum::<i64>();
            prop_assert_eq!(summary.iter().map(|r| r.tax.minor()).sum::<i64>(), sum(|l| l.tax.minor()));
            prop_assert_eq!(summary.iter().map(|r| r.taxable.minor()).sum::<i64>(), sum(|l| l.taxable.minor()));
            for r in &summary {
                let of_rate: Vec<&TaxedLine> = taxed.iter().filter(|l| l.rate_bp == r.rate_bp).collect();
                prop_assert_eq!(r.tax.minor(), of_rate.iter().map(|l| l.tax.minor()).sum::<i64>());
            }
            prop_assert!(summary.windows(2).all(|w| w[0].rate_bp < w[1].rate_bp));
        }

        #[test]
        fn a_lines_tax_is_within_half_a_minor_unit_of_the_exact_share(amount in 0i64..1_000_000_000, rate in 0u32..=10_000) {
            let tax = tax_on(Money::from_minor(amount), rate).minor();
            // |tax − amount × rate / 10000| ≤ 1/2, in exact integer arithmetic.
            let exact = i128::from(amount) * i128::from(rate);
            prop_assert!((i128::from(tax) * 20_000 - 2 * exact).abs() <= 10_000);
        }
    }
}
