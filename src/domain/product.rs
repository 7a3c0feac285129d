//! Products as the shop keeps them: names, units, prices in minor units, stock limits.

use super::Money;
use serde::{Deserialize, Serialize};

/// One product with its stock position, as lists and forms show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    /// `pcs` for packaged goods; `g`, `ml` or similar for loose goods.
    pub unit: String,
    pub loose: bool,
    pub quantity: i64,
    pub average_cost: Money,
    pub selling_price: Money,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
}

/// Where a product's quantity stands against its limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockLevel {
    OutOfStock,
    Low,
    Normal,
    Over,
}

impl Product {
    /// Out of stock at zero; low below the lower limit; over above the upper limit.
    pub fn stock_level(&self) -> StockLevel {
        match (self.lower_limit, self.upper_limit) {
            _ if self.quantity <= 0 => StockLevel::OutOfStock,
            (Some(lower), _) if self.quantity < lower => StockLevel::Low,
            (_, Some(upper)) if self.quantity > upper => StockLevel::Over,
            _ => StockLevel::Normal,
        }
    }
}

impl StockLevel {
    /// The words shown next to the quantity, if any.
    pub fn label(self) -> Option<&'static str> {
        match self {
            StockLevel::OutOfStock => Some("Out of stock"),
            StockLevel::Low => Some("Low stock"),
            StockLevel::Over => Some("Overstock"),
            StockLevel::Normal => None,
        }
    }
}

/// One page of a product list and how many products match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub products: Vec<Product>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl ProductPage {
    /// The number of the last page (at least 1).
    pub fn last_page(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(quantity: i64, lower: Option<i64>, upper: Option<i64>) -> Product {
        Product {
            id: 1,
            name: "Rice".into(),
            sku: None,
            unit: "pcs".into(),
            loose: false,
            quantity,
            average_cost: Money::ZERO,
            selling_price: Money::ZERO,
            lower_limit: lower,
            upper_limit: upper,
        }
    }

    #[test]
    fn stock_levels_follow_the_limits() {
        assert_eq!(
            product(0, Some(5), None).stock_level(),
            StockLevel::OutOfStock
        );
        assert_eq!(product(4, Some(5), None).stock_level(), StockLevel::Low);
        assert_eq!(
            product(5, Some(5), Some(10)).stock_level(),
            StockLevel::Normal
        );
        assert_eq!(
            product(11, Some(5), Some(10)).stock_level(),
            StockLevel::Over
        );
        assert_eq!(product(3, None, None).stock_level(), StockLevel::Normal);
    }

    #[test]
    fn the_last_page_counts_a_partial_page_and_is_never_zero() {
        let page = |total| ProductPage {
            products: vec![],
            total,
            page: 1,
            per_page: 25,
        };
        assert_eq!(page(0).last_page(), 1);
        assert_eq!(page(25).last_page(), 1);
        assert_eq!(page(26).last_page(), 2);
    }
}
