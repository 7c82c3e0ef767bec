//! The address of the end client a request comes from: the TCP peer, or, when the peer
//! is a configured trusted proxy or mail server, the address that peer forwarded in
//! `X-Forwarded-For`. Per-address limits count this address, per IPv4 address or per
//! IPv6 /64 (one subscriber's whole allocation).

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// The end client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address a caller proven to be a mail server reported for its client.
    pub fn of(reported: IpAddr) -> Self {
        Self(canonical(reported))
    }

    /// Resolves the end client from the TCP `peer` and the request's `X-Forwarded-For`
    /// header values (`forwarded_for`, in order): the rightmost entry not itself a
    /// trusted proxy, read only when the peer is trusted. A peer nobody trusts cannot
    /// choose the address it is counted as.
    pub fn resolve<'a>(
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
        trusted: &[IpNet],
    ) -> Self {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        let mut client = canonical(peer);
        if !is_trusted(&client) {
            return Self(client);
        }
        let forwarded: Vec<IpAddr> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().parse::<IpAddr>().map(canonical))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        for hop in forwarded.into_iter().rev() {
            client = hop;
            if !is_trusted(&hop) {
                break;
            }
        }
        Self(client)
    }

    /// The key its limits are counted under: the IPv4 address, or the IPv6 /64.
    pub fn network(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        }
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `::ffff:192.0.2.1` is `192.0.2.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> [&str; 1] {
        [xff]
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_peers() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers("198.51.100.7, 10.0.0.2");
        let from_proxy = ClientAddr::resolve("10.0.0.1".parse().unwrap(), h, &trusted);
        assert_eq!(from_proxy.0, "198.51.100.7".parse::<IpAddr>().unwrap());
        let direct = ClientAddr::resolve("203.0.113.9".parse().unwrap(), h, &trusted);
        assert_eq!(direct.0, "203.0.113.9".parse::<IpAddr>().unwrap(), "spoofed header ignored");
        // A client prepending its own entries cannot move past the last untrusted hop.
        let spoof = headers("1.2.3.4, 198.51.100.7");
        let c = ClientAddr::resolve("10.0.0.1".parse().unwrap(), spoof, &trusted);
        assert_eq!(c.0, "198.51.100.7".parse::<IpAddr>().unwrap());
        // Garbage in the header: the proxy itself is counted, never an invented address.
        let c = ClientAddr::resolve("10.0.0.1".parse().unwrap(), headers("nonsense"), &trusted);
        assert_eq!(c.0, "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let a = ClientAddr::resolve("2001:db8:1:2:aaaa::1".parse().unwrap(), [], &[]);
        let b = ClientAddr::resolve("2001:db8:1:2:bbbb::9".parse().unwrap(), [], &[]);
        assert_eq!(a.network(), "2001:db8:1:2::/64");
        assert_eq!(a.network(), b.network());
        let mapped = ClientAddr::resolve("::ffff:192.0.2.1".parse().unwrap(), [], &[]);
        assert_eq!(mapped.network(), "192.0.2.1");
    }
}
