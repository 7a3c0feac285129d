//! A minimal HTTP/1.1 client over loopback TCP for tests that drive real server processes: one
//! request per connection, as many clients do, with a 60 s limit on each exchange.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn parse_response(raw: &[u8]) -> std::io::Result<Resp> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or_else(|| bad("truncated chunk"))?;
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..line_end])
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim(),
                16,
            )
            .map_err(|_| bad("bad chunk size"))?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            if rest.len() < size {
                return Err(bad("truncated chunk"));
            }
            out.extend_from_slice(&rest[..size]);
            rest = rest.get(size + 2..).unwrap_or(&[]);
        }
        body = out;
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        // A server may answer (413) and close before the whole body is sent: read what it said.
        let sent = stream.write_all(body).await;
        let mut raw = Vec::new();
        let read = stream.read_to_end(&mut raw).await;
        match parse_response(&raw) {
            Ok(reply) => Ok(reply),
            Err(error) => {
                sent?;
                read?;
                Err(error)
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 60 s"))?
}

/// A server-function call as the hydrated app makes it, with the Origin of the instance.
pub async fn call(addr: SocketAddr, cookie: &str, path: &str, form: &str) -> std::io::Result<Resp> {
    let origin = format!("http://{addr}");
    http(
        addr,
        "POST",
        path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("Origin", &origin),
            ("Cookie", cookie),
        ],
        form.as_bytes(),
    )
    .await
}

/// Signs in through the form as `(email, password)` and returns the `name=value` of the session
/// cookie.
pub async fn sign_in(addr: SocketAddr, (email, password): (&str, &str)) -> String {
    let origin = format!("http://{addr}");
    let referer = format!("http://{addr}/login");
    let reply = http(
        addr,
        "POST",
        "/api/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
            ("Origin", &origin),
            ("Referer", &referer),
        ],
        super::encode(&[("email", email), ("password", password)]).as_bytes(),
    )
    .await
    .expect("sign-in request");
    let cookie = reply.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.starts_with("stockroom_session="),
        "sign-in failed: {} {}",
        reply.status,
        reply.text()
    );
    cookie.split(';').next().unwrap().to_owned()
}
