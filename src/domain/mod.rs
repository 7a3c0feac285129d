//! Pure types and rules of the shop (no I/O): they compile to WASM too, so forms and the server
//! parse input the same way. Input is parsed here (`*Form::parse` → typed drafts or every field
//! error at once) and the ledger's arithmetic lives here ([`bill::Totals`], [`stock::sell`],
//! [`stock::Position::receive`]), for the recorder and the seeder alike.

pub mod barcode;
pub mod bill;
pub mod bill_form;
pub mod bill_return;
pub mod calendar;
pub mod correction;
pub mod dashboard;
pub mod email;
pub mod employee;
pub mod import;
pub mod ledger;
pub mod measure;
pub mod money;
pub mod paging;
pub mod party;
pub mod password;
pub mod period;
pub mod product;
pub mod product_form;
pub mod reorder;
pub mod role;
pub mod sale_price;
pub mod search;
pub mod spreadsheet;
pub mod stock;
pub mod tax;
pub mod text;
pub mod user;

pub use calendar::Day;
pub use email::Email;
pub use measure::Measure;
pub use money::{Currency, Money};
pub use password::Password;
pub use product::{Product, ProductPage, StockLevel};
pub use role::Role;
pub use text::{FormKey, Name};
pub use user::User;
