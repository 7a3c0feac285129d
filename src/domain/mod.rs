//! Pure types and rules of the shop (no I/O): they compile to WASM too, so forms and the server
//! parse input the same way.

pub mod bill;
pub mod dashboard;
pub mod email;
pub mod employee;
pub mod ledger;
pub mod money;
pub mod password;
pub mod period;
pub mod product;
pub mod role;
pub mod search;
pub mod stock;
pub mod user;

pub use email::Email;
pub use money::{Currency, Money};
pub use password::Password;
pub use product::{Product, ProductPage, StockLevel};
pub use role::Role;
pub use user::User;
