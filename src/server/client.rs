//! Who is on the other end of the connection: the client's address, seen through the proxies
//! in front of us, for sign-in throttling and the audit trail.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The address the request came from (see [`client_addr`]), put in the request's extensions by
/// the session middleware.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

/// Whether an address belongs to a private network or this machine: a proxy in front of us, or
/// a client on the shop's own network.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}

/// The client's address. A connection from a public address is the client itself. One from an
/// internal address is taken to be a proxy (nginx on Elastic Beanstalk, a load balancer): then
/// the client is the right-most public address in `X-Forwarded-For`, or, when every address
/// there is internal (a shop's own network), the right-most one, which the nearest proxy added.
/// Without a peer address (in-process tests) the header is read the same way.
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap) -> String {
    if let Some(ip) = peer.filter(|ip| !is_internal(*ip)) {
        return ip.to_string();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_internal(**ip))
        .or(forwarded.last())
        .copied()
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}
