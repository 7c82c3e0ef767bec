//! One component per wizard screen; each renders one state of the wizard.
pub mod sign_in;
