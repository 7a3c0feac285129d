//! A catalogue import's rules, on cells already read from the file: which column is which
//! (header names case-insensitive, the export's own accepted), each row checked with the
//! product form's rules ([`ProductForm::parse`]) plus opening stock, duplicates inside the
//! file, and every problem as `Line N: <column>: <what is wrong>` (the header is line 1, as a
//! spreadsheet numbers rows). Reading bytes into cells is the server's (`server::import`).

use super::calendar::Day;
use super::product_form::ProductForm;
use super::search::fold;
use super::spreadsheet::unguard;
use super::{Measure, Money};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// The largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most product rows a file may hold.
pub const MAX_ROWS: usize = 50_000;
/// The most units one row may enter as opening stock.
pub const MAX_OPENING: i64 = 1_000_000_000;

/// A column the import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Sku,
    Unit,
    SellingPrice,
    LowerLimit,
    UpperLimit,
    Loose,
    Quantity,
    UnitCost,
    ExpiresOn,
    TaxRate,
    TaxCode,
}

impl Column {
    const ALL: [Column; 12] = [
        Column::Name,
        Column::Sku,
        Column::Unit,
        Column::SellingPrice,
        Column::LowerLimit,
        Column::UpperLimit,
        Column::Loose,
        Column::Quantity,
        Column::UnitCost,
        Column::ExpiresOn,
        Column::TaxRate,
        Column::TaxCode,
    ];

    /// The header name problems are reported under (and the export writes).
    pub fn name(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Sku => "sku",
            Column::Unit => "unit",
            Column::SellingPrice => "selling_price",
            Column::LowerLimit => "lower_limit",
            Column::UpperLimit => "upper_limit",
            Column::Loose => "loose",
            Column::Quantity => "quantity",
            Column::UnitCost => "unit_cost",
            Column::ExpiresOn => "expires_on",
            Column::TaxRate => "tax_rate",
            Column::TaxCode => "tax_code",
        }
    }

    /// The column a header cell names: case, surrounding spaces and spaces for `_` ignored;
    /// the export's `average_cost` is the unit cost of its quantity (a round trip).
    fn of_header(text: &str) -> Option<Self> {
        let key = text.trim().to_lowercase().replace([' ', '-'], "_");
        match key.as_str() {
            "average_cost" | "cost" | "cost_price" => Some(Column::UnitCost),
            "barcode" | "sku_/_barcode" => Some(Column::Sku),
            "price" => Some(Column::SellingPrice),
            "expiry" | "expiry_date" => Some(Column::ExpiresOn),
            _ => Self::ALL.into_iter().find(|c| c.name() == key),
        }
    }
}

/// One problem in a file: its line (0 for the file as a whole), column and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl Problem {
    pub fn new(line: u64, column: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => f.write_str(&self.message),
            line => write!(f, "Line {line}: {}: {}", self.column, self.message),
        }
    }
}

/// Units a product had before the shop used Stockroom, entering as a lot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// In the product's own unit: the file gives loose goods kept in grams in kg.
    pub quantity: i64,
    /// Per the measure's shown unit (per kg for loose goods kept in grams).
    pub unit_cost: Money,
    pub expires_on: Option<Day>,
    /// What it is worth at `unit_cost` ([`Measure::amount`]).
    #[serde(default)]
    pub value: Money,
}

/// A row that passed every check: the product form it amounts to (the cells a file left
/// empty are `None` there, so an existing product keeps them) and its opening stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub form: ProductForm,
    /// Whether the file gave a selling price (a new product without one gets 0.00).
    pub has_price: bool,
    /// Whether the file has a `loose` column (without one, a product stays as it is).
    pub has_loose: bool,
    pub opening: Option<Opening>,
}

impl ImportRow {
    /// The measure the row's quantities and limits are read in: its own `unit` (`pcs` without
    /// one) and `loose` cells. A row that sets quantities of a product measured otherwise is a
    /// problem at the check (`storage::imports`), never read in the wrong unit.
    pub fn measure(&self) -> Measure {
        let loose = self
            .form
            .loose
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "false");
        Measure::new(self.form.unit.as_deref().unwrap_or("pcs"), loose)
    }

    /// Whether the row sets any quantity: opening stock or a stock limit.
    pub fn sets_quantities(&self) -> bool {
        self.opening.is_some()
            || !self.form.lower_limit.trim().is_empty()
            || !self.form.upper_limit.trim().is_empty()
    }
}

impl ImportRow {
    /// The folded name the row matches products by.
    pub fn name_key(&self) -> String {
        fold(&self.form.name)
    }

    /// The SKU the row gives, if any.
    pub fn sku(&self) -> Option<&str> {
        self.form
            .sku
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// Which column of the file is which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    columns: Vec<Option<Column>>,
    /// Header cells the import does not read, as written.
    pub unknown: Vec<String>,
}

impl Header {
    /// Reads the header row: a `name` column is required; a column named twice is refused.
    pub fn parse(cells: &[String]) -> Result<Self, Problem> {
        let mut columns = Vec::with_capacity(cells.len());
        let mut unknown = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let cell = if i == 0 {
                cell.trim_start_matches('\u{feff}')
            } else {
                cell.as_str()
            };
            let column = Column::of_header(cell);
            if let Some(c) = column {
                if columns.contains(&Some(c)) {
                    return Err(Problem::new(1, c.name(), "This column appears twice"));
                }
            } else if !cell.trim().is_empty() {
                unknown.push(cell.trim().chars().take(40).collect());
            }
            columns.push(column);
        }
        if !columns.contains(&Some(Column::Name)) {
            return Err(Problem::new(
                1,
                "name",
                "The first row must name the columns, with a name column",
            ));
        }
        Ok(Self { columns, unknown })
    }

    fn has(&self, column: Column) -> bool {
        self.columns.contains(&Some(column))
    }

    /// Checks one row (`line` as a spreadsheet numbers it), collecting every problem.
    pub fn row(&self, line: u64, cells: &[String]) -> Result<ImportRow, Vec<Problem>> {
        let mut values: HashMap<Column, &str> = HashMap::new();
        for (column, cell) in self.columns.iter().zip(cells) {
            if let Some(column) = column {
                values.insert(*column, unguard(cell.trim()));
            }
        }
        let get = |c: Column| values.get(&c).copied().unwrap_or_default();
        let given = |c: Column| self.has(c).then(|| get(c).to_owned());
        let mut problems = Vec::new();
        let loose = match get(Column::Loose).to_lowercase().as_str() {
            "" | "no" | "n" | "false" | "0" | "packaged" => None,
            "yes" | "y" | "true" | "1" | "on" | "loose" => Some("on".to_owned()),
            _ => {
                problems.push(Problem::new(line, "loose", "Write yes or no"));
                None
            }
        };
        let price = decimal_point(get(Column::SellingPrice));
        let has_price = !price.is_empty();
        let unit = given(Column::Unit).filter(|u| !u.is_empty());
        let form = ProductForm {
            name: get(Column::Name).to_owned(),
            selling_price: if has_price {
                price.into_owned()
            } else {
                "0".to_owned()
            },
            lower_limit: get(Column::LowerLimit).to_owned(),
            upper_limit: get(Column::UpperLimit).to_owned(),
            loose,
            sku: given(Column::Sku),
            unit,
            tax_rate: given(Column::TaxRate),
            tax_code: given(Column::TaxCode),
        };
        if let Err(errors) = form.parse() {
            problems.extend(
                errors
                    .into_iter()
                    .map(|e| Problem::new(line, &e.field, e.message)),
            );
        }
        let mut row = ImportRow {
            line,
            form,
            has_price,
            has_loose: self.has(Column::Loose),
            opening: None,
        };
        row.opening = opening(line, &get, &row.measure(), &mut problems);
        if problems.is_empty() {
            Ok(row)
        } else {
            Err(problems)
        }
    }
}

/// An amount as a spreadsheet in a decimal-comma locale writes it (`170,50`: one comma and
/// one or two digits after it, no point) read with a point; anything else as it is (`1,500`
/// stays fifteen hundred).
fn decimal_point(text: &str) -> std::borrow::Cow<'_, str> {
    match text.split_once(',') {
        Some((whole, cents))
            if !whole.is_empty()
                && whole.chars().all(|c| c.is_ascii_digit())
                && (1..=2).contains(&cents.len())
                && cents.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("{whole}.{cents}").into()
        }
        _ => text.into(),
    }
}

/// The row's opening stock: `quantity` > 0 needs a `unit_cost`; `expires_on` is optional.
fn opening<'a>(
    line: u64,
    get: &impl Fn(Column) -> &'a str,
    measure: &Measure,
    problems: &mut Vec<Problem>,
) -> Option<Opening> {
    let quantity = match get(Column::Quantity) {
        "" => 0,
        text => match measure.parse_count(&decimal_point(text), MAX_OPENING) {
            Ok(n) => n,
            Err(_) => {
                problems.push(Problem::new(
                    line,
                    "quantity",
                    if measure.has_decimals() {
                        "Enter a quantity from 0 with up to three decimals, or leave it empty"
                    } else {
                        "Enter a whole number from 0, or leave it empty"
                    },
                ));
                0
            }
        },
    };
    let unit_cost = match get(Column::UnitCost) {
        "" if quantity > 0 => {
            problems.push(Problem::new(
                line,
                "unit_cost",
                "Enter what one unit of the opening stock cost",
            ));
            None
        }
        "" => None,
        text => match Money::parse(&decimal_point(text)) {
            Ok(cost) if cost.minor() <= super::bill::MAX_UNIT_PRICE => Some(cost),
            Ok(_) => {
                problems.push(Problem::new(line, "unit_cost", "The amount is too large"));
                None
            }
            Err(e) => {
                problems.push(Problem::new(line, "unit_cost", e.to_string()));
                None
            }
        },
    };
    let expires_on = match get(Column::ExpiresOn) {
        "" => None,
        text => match Day::parse(text) {
            Ok(day) => Some(day),
            Err(e) => {
                problems.push(Problem::new(line, "expires_on", e.to_string()));
                None
            }
        },
    };
    let unit_cost = unit_cost.unwrap_or(Money::ZERO);
    (quantity > 0).then(|| Opening {
        quantity,
        unit_cost,
        expires_on,
        value: measure.amount(quantity, unit_cost).unwrap_or_default(),
    })
}

/// What a file amounts to: the rows that passed and every problem, with names and SKUs that
/// appear twice in the file reported on their second line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<Problem>,
    pub unknown_columns: Vec<String>,
}

/// Checks every row of a file (`records`: the rows after the header, each with its line).
pub fn check(header: &Header, records: impl IntoIterator<Item = (u64, Vec<String>)>) -> Checked {
    let mut checked = Checked {
        unknown_columns: header.unknown.clone(),
        ..Checked::default()
    };
    let mut names: HashMap<String, u64> = HashMap::new();
    let mut skus: HashMap<String, u64> = HashMap::new();
    for (line, cells) in records {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match header.row(line, &cells) {
            Ok(row) => {
                let mut twice = false;
                if let Some(first) = names.insert(row.name_key(), line) {
                    checked.problems.push(Problem::new(
                        line,
                        "name",
                        format!("The same name is on line {first}"),
                    ));
                    twice = true;
                }
                if let Some(sku) = row.sku() {
                    if let Some(first) = skus.insert(sku.to_owned(), line) {
                        checked.problems.push(Problem::new(
                            line,
                            "sku",
                            format!("The same SKU is on line {first}"),
                        ));
                        twice = true;
                    }
                }
                if !twice {
                    checked.rows.push(row);
                }
            }
            Err(problems) => checked.problems.extend(problems),
        }
    }
    checked
}

/// The most problems a report keeps (the rest are counted).
pub const MAX_PROBLEMS: usize = 500;

/// A checked upload as it is kept until `Import`: its rows, the product each one updates
/// (`None`: it creates one), and every problem (then nothing can be imported).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub file_name: String,
    pub rows: Vec<ImportRow>,
    pub targets: Vec<Option<i64>>,
    pub problems: Vec<Problem>,
    /// Problems beyond [`MAX_PROBLEMS`], counted only.
    pub more_problems: usize,
    pub unknown_columns: Vec<String>,
}

impl Report {
    /// Keeps the first [`MAX_PROBLEMS`] problems, in line order, and counts the rest.
    pub fn add_problems(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.extend(problems);
        self.problems.sort_by_key(|p| p.line);
        if self.problems.len() > MAX_PROBLEMS {
            self.more_problems += self.problems.len() - MAX_PROBLEMS;
            self.problems.truncate(MAX_PROBLEMS);
        }
    }

    /// What the preview shows.
    pub fn preview(&self) -> Preview {
        let opening = self.rows.iter().filter_map(|r| r.opening);
        Preview {
            file_name: self.file_name.clone(),
            creates: self.targets.iter().filter(|t| t.is_none()).count(),
            updates: self.targets.iter().filter(|t| t.is_some()).count(),
            opening_products: opening.clone().count(),
            opening_units: opening.clone().map(|o| o.quantity).sum(),
            opening_value: Money::from_minor(
                opening
                    .map(|o| o.value.minor())
                    .fold(0i64, i64::saturating_add),
            ),
            problems: self.problems.iter().map(ToString::to_string).collect(),
            more_problems: self.more_problems,
            unknown_columns: self.unknown_columns.clone(),
            imported: None,
        }
    }
}

/// The preview of a checked upload (managers only: it shows the opening stock's cost).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub file_name: String,
    pub creates: usize,
    pub updates: usize,
    pub opening_products: usize,
    pub opening_units: i64,
    pub opening_value: Money,
    /// `Line N: column: what is wrong`, in line order.
    pub problems: Vec<String>,
    pub more_problems: usize,
    pub unknown_columns: Vec<String>,
    /// How many products it imported, once it has been.
    pub imported: Option<i64>,
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
