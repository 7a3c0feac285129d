//! Views shared by several pages.

pub mod bill_form;
pub mod chart;
pub mod confirm;
pub mod corrections;
pub mod layout;
pub mod nav;
pub mod pager;
pub mod party_fields;
pub mod rows;
pub mod status;
#[cfg(feature = "hydrate")]
pub mod swap;
pub mod table;
pub mod time;
pub mod viewer;
