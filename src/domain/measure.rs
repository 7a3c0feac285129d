//! How a product's quantities are read and typed, and what its prices are per.
//!
//! Storage keeps every quantity as an exact integer of the product's own unit (grams,
//! millilitres, pieces: PRODUCT.md, "Quantity"), and every amount of money in minor units. A
//! shopkeeper thinks of loose goods in kilograms and litres: rice sold loose is `43.75 kg` at
//! `₹140.00 / kg`, not `43750 g` at `₹0.14`. A [`Measure`] is that translation, and the one place
//! its rounding lives:
//!
//! - A loose product kept in `g` (or `ml`) shows and takes its quantities in `kg` (`L`), with up to
//!   three decimals, and its unit prices and costs are **per kg** (per L): stored as minor units
//!   per 1,000 of the product's unit ([`Measure::scale`]). ₹145.00 / kg is 14,500, where a price
//!   per gram (14.5 paise) could not be kept at all.
//! - Every other product (packaged `pcs`, loose goods kept in `kg`…) has a scale of 1: whole
//!   quantities, prices per unit, exactly as before.
//!
//! Money that a quantity moves is [`Measure::amount`]: quantity × unit price ÷ scale, rounded
//! half-up to a minor unit. When one line is split (a sale over several lots, a lot sold over
//! several sales), each part is priced as the difference of two running amounts
//! ([`Measure::part`]), so the parts always add up to the whole to the paisa: bills, the ledger's
//! movements and the dashboard agree.

use super::stock::{QuantityError, MAX_LINE_QUANTITY};
use super::Money;
use serde::{Deserialize, Serialize};

/// How many of the product's own unit one shown unit holds, for loose goods kept in grams or
/// millilitres.
pub const LOOSE_SCALE: i64 = 1_000;

/// The decimals a shown quantity may have on a loose product (1 g of a kilogram).
pub const DECIMALS: usize = 3;

/// A product's unit and whether it is sold loose: what decides how its quantities read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Measure {
    /// The unit storage counts in (`pcs`, `g`, `ml`…), lower case as `product::parse_unit` keeps it.
    pub unit: String,
    pub loose: bool,
}

/// A unit a person may write after a quantity: `25 kg`, `500 g`, `1.5 L`, `250 ml`, `3 pcs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Said {
    Kg,
    G,
    L,
    Ml,
    Pcs,
}

/// What a quantity can be: a weight, a volume or a count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dimension {
    Mass,
    Volume,
    Count,
}

impl Said {
    /// The unit a person wrote, if it is one of these (case and a plural `s` ignored).
    fn parse(word: &str) -> Option<Self> {
        match word.to_lowercase().trim_end_matches('s') {
            "kg" => Some(Self::Kg),
            "g" | "gm" | "gram" => Some(Self::G),
            "l" | "ltr" | "litre" | "liter" => Some(Self::L),
            "ml" => Some(Self::Ml),
            "pc" | "pce" | "piece" => Some(Self::Pcs),
            _ => None,
        }
    }

    /// What it measures and how many of the dimension's smallest unit (g, ml, piece) it holds.
    fn size(self) -> (Dimension, i64) {
        match self {
            Self::Kg => (Dimension::Mass, 1_000),
            Self::G => (Dimension::Mass, 1),
            Self::L => (Dimension::Volume, 1_000),
            Self::Ml => (Dimension::Volume, 1),
            Self::Pcs => (Dimension::Count, 1),
        }
    }

    /// How it is written back.
    fn as_str(self) -> &'static str {
        match self {
            Self::Kg => "kg",
            Self::G => "g",
            Self::L => "L",
            Self::Ml => "ml",
            Self::Pcs => "pcs",
        }
    }

    /// The measure a product first bought in this unit gets: kept in g or ml and sold loose for
    /// weights and volumes, packaged pieces otherwise.
    pub fn new_product(self) -> Measure {
        match self.size().0 {
            Dimension::Mass => Measure::new("g", true),
            Dimension::Volume => Measure::new("ml", true),
            Dimension::Count => Measure::pieces(),
        }
    }
}

/// What a stored unit measures and how many of the dimension's smallest unit one holds
/// (`None` for a unit of its own, such as `m` or `box`).
fn stored_size(unit: &str) -> Option<(Dimension, i64)> {
    match unit {
        "g" => Some((Dimension::Mass, 1)),
        "kg" => Some((Dimension::Mass, 1_000)),
        "ml" => Some((Dimension::Volume, 1)),
        "l" => Some((Dimension::Volume, 1_000)),
        "pcs" | "pc" => Some((Dimension::Count, 1)),
        _ => None,
    }
}

/// A quantity as typed, before the product is known: a positive number with up to three
/// decimals, kept as thousandths, and the unit written after it, if any (`25 kg`).
/// [`Measure::units`] turns it into the product's own units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Typed {
    thousandths: i64,
    said: Option<Said>,
}

/// A number with up to three decimals and an optional unit after it: signed thousandths.
fn parse_said(input: &str) -> Result<(i64, Option<Said>), QuantityError> {
    let text = input.trim();
    let split = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i);
    let (number, said) = match split {
        Some(at) if !text[..at].trim().is_empty() => {
            let said = Said::parse(&text[at..]).ok_or(QuantityError::UnknownUnit)?;
            (&text[..at], Some(said))
        }
        Some(_) => return Err(QuantityError::NotANumber),
        None => (text, None),
    };
    Ok((parse_thousandths(number)?, said))
}

impl Typed {
    /// Parses a positive quantity: digits, optional thousands separators, at most three
    /// decimals and an optional unit (`1.5`, `0.250`, `1,000`, `25 kg`, `500 g`).
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let (thousandths, said) = parse_said(input)?;
        if thousandths <= 0 {
            return Err(QuantityError::NotPositive);
        }
        if thousandths > MAX_LINE_QUANTITY.saturating_mul(LOOSE_SCALE) {
            return Err(QuantityError::TooLarge);
        }
        Ok(Self { thousandths, said })
    }

    /// A whole number of units as typed, without a unit.
    pub fn whole(units: i64) -> Self {
        Self {
            thousandths: units.saturating_mul(LOOSE_SCALE),
            said: None,
        }
    }

    /// This quantity and `thousandths` more, in the same unit.
    pub fn plus(self, thousandths: i64) -> Self {
        Self {
            thousandths: self.thousandths.saturating_add(thousandths.max(0)),
            ..self
        }
    }

    /// The quantity in thousandths of the unit it was typed in.
    pub const fn thousandths(self) -> i64 {
        self.thousandths
    }

    /// The unit written after the number, if any.
    pub const fn said(self) -> Option<Said> {
        self.said
    }

    /// The quantity as it would be typed again (`1.5`, `12`, `25 kg`).
    pub fn to_text(self) -> String {
        let number = decimal(self.thousandths, LOOSE_SCALE);
        match self.said {
            Some(said) => format!("{number} {}", said.as_str()),
            None => number,
        }
    }
}

/// Signed thousandths from text with up to three decimals.
fn parse_thousandths(input: &str) -> Result<i64, QuantityError> {
    let text = input.trim().replace([',', '_', ' ', '\u{a0}'], "");
    if text.is_empty() {
        return Err(QuantityError::Empty);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !numeric(whole) || !numeric(fraction) {
        return Err(QuantityError::NotANumber);
    }
    if fraction.len() > DECIMALS {
        return Err(QuantityError::TooPrecise);
    }
    let whole: i64 = match whole {
        "" => 0,
        w => w.parse().map_err(|_| QuantityError::TooLarge)?,
    };
    let fraction: i64 = format!("{fraction:0<3}")
        .parse()
        .map_err(|_| QuantityError::NotANumber)?;
    let value = whole
        .checked_mul(LOOSE_SCALE)
        .and_then(|w| w.checked_add(fraction))
        .ok_or(QuantityError::TooLarge)?;
    Ok(if negative { -value } else { value })
}

/// `value / scale` written with the decimals it needs (none for a whole number, at most
/// [`DECIMALS`]): `43750 / 1000` is `43.75`.
fn decimal(value: i64, scale: i64) -> String {
    if scale == 1 {
        return value.to_string();
    }
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let scale = scale.unsigned_abs();
    let (whole, part) = (magnitude / scale, magnitude % scale);
    if part == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{part:03}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// Why a typed quantity is not a quantity of a product, named in the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitsError {
    #[error("{product} is counted in whole {unit}: enter a whole number")]
    NotWhole { product: String, unit: String },
    #[error("At most {most} of {product} in one line")]
    TooLarge { product: String, most: String },
    #[error("{product} is counted in {unit}: enter its quantity in {unit}")]
    OtherUnit { product: String, unit: String },
}

impl Measure {
    /// A typed quantity of `product` in stored units ([`Measure::units`]), or what is wrong
    /// with it in words that name the product.
    pub fn units_of(&self, typed: Typed, product: &str) -> Result<i64, UnitsError> {
        self.units(typed).map_err(|e| match e {
            QuantityError::NotWhole => UnitsError::NotWhole {
                product: product.to_owned(),
                unit: self.shown_unit().to_owned(),
            },
            QuantityError::OtherUnit => UnitsError::OtherUnit {
                product: product.to_owned(),
                unit: self.shown_unit().to_owned(),
            },
            _ => UnitsError::TooLarge {
                product: product.to_owned(),
                most: self.show(MAX_LINE_QUANTITY),
            },
        })
    }

    /// The measure of a product kept in `unit`, loose or not.
    pub fn new(unit: impl Into<String>, loose: bool) -> Self {
        Self {
            unit: unit.into(),
            loose,
        }
    }

    /// Packaged goods counted in pieces.
    pub fn pieces() -> Self {
        Self::new("pcs", false)
    }

    /// The unit shown to people and the number of stored units it holds.
    fn shown(&self) -> (&str, i64) {
        match (self.loose, self.unit.as_str()) {
            (true, "g") => ("kg", LOOSE_SCALE),
            (true, "ml") => ("L", LOOSE_SCALE),
            (_, unit) => (unit, 1),
        }
    }

    /// How many stored units one shown unit holds: 1,000 for loose goods kept in grams or
    /// millilitres, 1 for everything else. Unit prices and costs are per this many units.
    pub fn scale(&self) -> i64 {
        self.shown().1
    }

    /// The unit quantities are shown and typed in (`kg`, `L`, `pcs`).
    pub fn shown_unit(&self) -> &str {
        self.shown().0
    }

    /// Whether quantities may have decimals.
    pub fn has_decimals(&self) -> bool {
        self.scale() > 1
    }

    /// A stored quantity as a number in the shown unit, as a form field holds it: `43.75`.
    pub fn number(&self, quantity: i64) -> String {
        decimal(quantity, self.scale())
    }

    /// A stored quantity with its shown unit: `43.75 kg`, `12 pcs`.
    pub fn show(&self, quantity: i64) -> String {
        format!("{} {}", self.number(quantity), self.shown_unit())
    }

    /// What a unit price is per, after the amount: `/ kg` for loose goods, nothing otherwise.
    pub fn per(&self) -> Option<String> {
        self.has_decimals()
            .then(|| format!("/ {}", self.shown_unit()))
    }

    /// A unit price as read next to the product: `₹140.00 / kg`, or just `₹45.00`.
    pub fn price(&self, formatted: String) -> String {
        match self.per() {
            Some(per) => format!("{formatted} {per}"),
            None => formatted,
        }
    }

    /// A typed quantity in stored units: any quantity with up to three decimals for loose goods,
    /// a whole number for the rest.
    ///
    /// A unit written after the number is honoured when it measures what the product does:
    /// `500 g` of rice kept in grams is 500 g, `0.5 kg` too; `2 kg` of a product counted in
    /// pieces is [`QuantityError::OtherUnit`].
    pub fn units(&self, typed: Typed) -> Result<i64, QuantityError> {
        let units = self.stored(typed.thousandths, typed.said)?;
        if units > MAX_LINE_QUANTITY {
            return Err(QuantityError::TooLarge);
        }
        Ok(units)
    }

    /// `thousandths` of the shown unit (or of `said`) in stored units, when they are whole.
    fn stored(&self, thousandths: i64, said: Option<Said>) -> Result<i64, QuantityError> {
        let whole = |milli: i128, per: i128| {
            if milli % per == 0 {
                i64::try_from(milli / per).map_err(|_| QuantityError::TooLarge)
            } else {
                Err(QuantityError::NotWhole)
            }
        };
        let Some(said) = said else {
            return match self.scale() {
                1 => whole(i128::from(thousandths), i128::from(LOOSE_SCALE)),
                _ => Ok(thousandths),
            };
        };
        let (dimension, size) = said.size();
        match stored_size(&self.unit) {
            Some((stored, per)) if stored == dimension => whole(
                i128::from(thousandths) * i128::from(size),
                i128::from(per) * i128::from(LOOSE_SCALE),
            ),
            // A unit of its own (`m`, `box`) is typed without one.
            _ => Err(QuantityError::OtherUnit),
        }
    }

    /// Parses a positive quantity in the shown unit into stored units.
    pub fn parse(&self, input: &str) -> Result<i64, QuantityError> {
        self.units(Typed::parse(input)?)
    }

    /// Parses a quantity from 0 (a count, a limit) in the shown unit into stored units.
    pub fn parse_count(&self, input: &str, max: i64) -> Result<i64, QuantityError> {
        let (thousandths, said) = parse_said(input)?;
        if thousandths < 0 {
            return Err(QuantityError::Negative);
        }
        let units = self.stored(thousandths, said)?;
        if units > max {
            return Err(QuantityError::TooLarge);
        }
        Ok(units)
    }

    /// What `quantity` (signed) at `unit_price` per shown unit comes to: quantity × price ÷
    /// scale, rounded half-up (away from zero for a negative quantity, so an amount and its
    /// reversal cancel). `None` when it would not fit.
    pub fn amount(&self, quantity: i64, unit_price: Money) -> Option<Money> {
        let scale = i128::from(self.scale());
        let product = i128::from(quantity.unsigned_abs()) * i128::from(unit_price.minor().max(0));
        let rounded = (2 * product + scale) / (2 * scale);
        let signed = if quantity < 0 { -rounded } else { rounded };
        i64::try_from(signed).ok().map(Money::from_minor)
    }

    /// The money of the part of a quantity between running totals `from` and `to` (the units
    /// already counted before the part, and after it): `amount(to) − amount(from)`. Parts that
    /// cover a whole add up to its [`Measure::amount`] exactly, whatever the split.
    pub fn part(&self, from: i64, to: i64, unit_price: Money) -> Option<Money> {
        let (to, from) = (self.amount(to, unit_price)?, self.amount(from, unit_price)?);
        to.minor().checked_sub(from.minor()).map(Money::from_minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rice() -> Measure {
        Measure::new("g", true)
    }

    #[test]
    fn loose_grams_read_in_kilograms_and_millilitres_in_litres() {
        assert_eq!(rice().show(43_750), "43.75 kg");
        assert_eq!(rice().show(1_000), "1 kg");
        assert_eq!(rice().show(5), "0.005 kg");
        assert_eq!(rice().show(-1_500), "-1.5 kg");
        assert_eq!(Measure::new("ml", true).show(250), "0.25 L");
        assert_eq!(Measure::new("g", false).show(250), "250 g");
        assert_eq!(Measure::pieces().show(12), "12 pcs");
        assert_eq!(Measure::new("kg", true).show(3), "3 kg");
    }

    #[test]
    fn loose_goods_take_up_to_three_decimals_and_the_rest_whole_numbers() {
        assert_eq!(rice().parse("1.5"), Ok(1_500));
        assert_eq!(rice().parse(" 0.250 "), Ok(250));
        assert_eq!(rice().parse(".5"), Ok(500));
        assert_eq!(rice().parse("2"), Ok(2_000));
        assert_eq!(rice().parse("1.2345"), Err(QuantityError::TooPrecise));
        assert_eq!(rice().parse("0"), Err(QuantityError::NotPositive));
        assert_eq!(rice().parse("-1"), Err(QuantityError::NotPositive));
        assert_eq!(rice().parse("abc"), Err(QuantityError::NotANumber));
        assert_eq!(rice().parse(""), Err(QuantityError::Empty));
        assert_eq!(rice().parse("1001"), Err(QuantityError::TooLarge));
        assert_eq!(Measure::pieces().parse("3"), Ok(3));
        assert_eq!(Measure::pieces().parse("1,000"), Ok(1_000));
        assert_eq!(Measure::pieces().parse("1.5"), Err(QuantityError::NotWhole));
        assert_eq!(Measure::pieces().parse("2.000"), Ok(2));
    }

    #[test]
    fn a_typed_quantity_that_does_not_fit_the_product_says_why_by_name() {
        let half = Typed::parse("1.5").unwrap();
        assert_eq!(
            Measure::pieces()
                .units_of(half, "Bath Soap")
                .unwrap_err()
                .to_string(),
            "Bath Soap is counted in whole pcs: enter a whole number"
        );
        assert_eq!(rice().units_of(half, "Rice"), Ok(1_500));
        let ton = Typed::parse("1001").unwrap();
        assert_eq!(
            rice().units_of(ton, "Rice").unwrap_err().to_string(),
            "At most 1000 kg of Rice in one line"
        );
    }

    #[test]
    fn a_unit_after_the_number_is_taken_when_it_measures_what_the_product_does() {
        assert_eq!(rice().parse("500 g"), Ok(500));
        assert_eq!(rice().parse("0.5kg"), Ok(500));
        assert_eq!(rice().parse("2 KG"), Ok(2_000));
        assert_eq!(rice().parse("1.5 g"), Err(QuantityError::NotWhole));
        assert_eq!(rice().parse("1 L"), Err(QuantityError::OtherUnit));
        assert_eq!(Measure::new("ml", true).parse("1.5 L"), Ok(1_500));
        assert_eq!(Measure::new("ml", true).parse("250 ml"), Ok(250));
        assert_eq!(Measure::pieces().parse("3 pcs"), Ok(3));
        assert_eq!(
            Measure::pieces().parse("2 kg"),
            Err(QuantityError::OtherUnit)
        );
        assert_eq!(
            Measure::new("kg", false).parse("1500 g"),
            Err(QuantityError::NotWhole)
        );
        assert_eq!(Measure::new("kg", false).parse("2000 g"), Ok(2));
        assert_eq!(
            Measure::new("m", false).parse("2 kg"),
            Err(QuantityError::OtherUnit)
        );
        assert_eq!(rice().parse("2 bags"), Err(QuantityError::UnknownUnit));
        assert_eq!(rice().parse("ten"), Err(QuantityError::NotANumber));
        assert_eq!(rice().parse_count("250 g", 1_000), Ok(250));
        let typed = Typed::parse("25 kg").unwrap();
        assert_eq!(
            (typed.said(), typed.to_text()),
            (Some(Said::Kg), "25 kg".to_owned())
        );
        assert_eq!(typed.plus(1_000).to_text(), "26 kg");
        assert_eq!(Said::Kg.new_product(), Measure::new("g", true));
        assert_eq!(Said::Ml.new_product(), Measure::new("ml", true));
        assert_eq!(Said::Pcs.new_product(), Measure::pieces());
        assert_eq!(
            Measure::pieces()
                .units_of(typed, "Bath Soap")
                .unwrap_err()
                .to_string(),
            "Bath Soap is counted in pcs: enter its quantity in pcs"
        );
    }

    #[test]
    fn counts_may_be_zero_but_never_negative() {
        assert_eq!(rice().parse_count("0", 10_000), Ok(0));
        assert_eq!(rice().parse_count("2.5", 10_000), Ok(2_500));
        assert_eq!(
            rice().parse_count("-1", 10_000),
            Err(QuantityError::Negative)
        );
        assert_eq!(
            rice().parse_count("11", 10_000),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(
            Measure::pieces().parse_count("0.5", 10),
            Err(QuantityError::NotWhole)
        );
    }

    #[test]
    fn prices_of_loose_goods_are_per_kilogram_rounded_half_up() {
        let per_kg = Money::from_minor(14_500); // ₹145.00 / kg
        assert_eq!(
            rice().amount(1_500, per_kg),
            Some(Money::from_minor(21_750))
        );
        // 333 g at ₹145/kg is ₹48.285: half a paisa rounds up.
        assert_eq!(rice().amount(333, per_kg), Some(Money::from_minor(4_829)));
        assert_eq!(rice().amount(-333, per_kg), Some(Money::from_minor(-4_829)));
        assert_eq!(
            Measure::pieces().amount(3, per_kg),
            Some(Money::from_minor(43_500))
        );
        assert_eq!(rice().price("₹140.00".into()), "₹140.00 / kg");
        assert_eq!(Measure::pieces().price("₹45.00".into()), "₹45.00");
    }

    #[test]
    fn a_split_line_adds_up_to_the_whole_to_the_paisa() {
        let per_kg = Money::from_minor(14_500);
        // Each 111 g part alone is 1,609.5 paise; priced as parts they make the whole's 4,829.
        let parts: i64 = [(0, 111), (111, 222), (222, 333)]
            .iter()
            .map(|&(from, to)| rice().part(from, to, per_kg).unwrap().minor())
            .sum();
        assert_eq!(parts, 4_829);
    }

    proptest! {
        #[test]
        fn what_is_shown_reads_back_as_the_same_quantity(quantity in 1i64..=MAX_LINE_QUANTITY, loose: bool) {
            let measure = Measure::new("g", loose);
            prop_assert_eq!(measure.parse(&measure.number(quantity)), Ok(quantity));
            let typed = Typed { thousandths: quantity, said: None };
            prop_assert_eq!(Typed::parse(&typed.to_text()), Ok(typed));
            let in_kg = Typed { thousandths: quantity, said: Some(Said::Kg) };
            prop_assert_eq!(Typed::parse(&in_kg.to_text()), Ok(in_kg));
        }

        #[test]
        fn parts_of_any_split_add_up_to_the_whole(
            cuts in proptest::collection::vec(0i64..=MAX_LINE_QUANTITY, 0..6),
            total in 0i64..=MAX_LINE_QUANTITY,
            price in 0i64..=10_000_000,
        ) {
            let measure = rice();
            let price = Money::from_minor(price);
            let mut points: Vec<i64> = cuts.into_iter().map(|c| c.min(total)).collect();
            points.push(0);
            points.push(total);
            points.sort_unstable();
            let parts: i64 = points
                .windows(2)
                .map(|w| measure.part(w[0], w[1], price).unwrap().minor())
                .sum();
            prop_assert_eq!(parts, measure.amount(total, price).unwrap().minor());
        }

        #[test]
        fn an_amount_is_within_half_a_minor_unit_of_the_exact_one(
            quantity in 0i64..=MAX_LINE_QUANTITY,
            price in 0i64..=10_000_000,
        ) {
            let exact = i128::from(quantity) * i128::from(price); // in thousandths of a minor unit
            let amount = i128::from(rice().amount(quantity, Money::from_minor(price)).unwrap().minor());
            let error = amount * 1_000 - exact;
            prop_assert!((-500..500).contains(&error) || error == 500, "{quantity} × {price}: {amount}");
            prop_assert_eq!(rice().amount(-quantity, Money::from_minor(price)).unwrap().minor(), -(amount as i64));
        }
    }
}
