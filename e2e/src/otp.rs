//! Codes as a person's authenticator app makes them.

use crate::*;

/// The current code for a base32 key (display spaces allowed), from oathtool: a TOTP
/// implementation independent of the server's.
pub fn totp(secret: &str) -> String {
    totp_at(secret, server::clock::Clock::system().now())
}

/// The `secret` parameter of an `otpauth://` URI.
pub fn otpauth_secret(uri: &str) -> String {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let secret = query.split('&').find_map(|kv| kv.strip_prefix("secret="));
    secret.unwrap_or_else(|| panic!("no secret in {uri}")).to_owned()
}
