//! Static files compiled into the binary: no CDN, nothing to install.
//!
//! Browsers ask for them compressed. They never change while the server runs, so
//! each file is compressed once, at the best setting, the first time someone asks
//! for it that way, and the same bytes are sent from then on; the response layer's
//! on-the-fly compression (cheap settings, made for pages) leaves them alone.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{LazyLock, OnceLock};

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
struct Assets;

/// An embedded file's bytes, by its path under `assets/`.
pub fn get(path: &str) -> Option<std::borrow::Cow<'static, [u8]>> {
    Assets::get(path).map(|f| f.data)
}

/// The encodings a file is kept in besides as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// Which of our encodings an `Accept-Encoding` value allows, brotli first (it is
/// smaller); `None`: send the file as it is. A `q=0` refuses an encoding; `*`
/// stands for any not named.
pub fn choose(accept: &str) -> Option<Encoding> {
    let allowed = |wanted: Encoding| {
        let mut named = None;
        let mut any = None;
        for part in accept.split(',') {
            let mut bits = part.split(';');
            let name = bits.next().unwrap_or("").trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
            if name.eq_ignore_ascii_case(wanted.token()) {
                named = Some(q > 0.0);
            } else if name == "*" {
                any = Some(q > 0.0);
            }
        }
        named.or(any).unwrap_or(false)
    };
    [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .find(|e| allowed(*e))
}

/// One file's compressed forms, each made on first use.
#[derive(Default)]
struct Packed {
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

static PACKED: LazyLock<HashMap<String, Packed>> = LazyLock::new(|| {
    Assets::iter()
        .map(|p| (p.into_owned(), Packed::default()))
        .collect()
});

fn compress(data: &[u8], encoding: Encoding) -> Bytes {
    let mut out = Vec::with_capacity(data.len() / 3);
    match encoding {
        Encoding::Brotli => {
            // Quality 11, 4 MiB window: slow, but once per file and process.
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
            w.write_all(data).expect("compressing into memory");
            drop(w);
        }
        Encoding::Gzip => {
            let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
            w.write_all(data).expect("compressing into memory");
            w.finish().expect("compressing into memory");
        }
    }
    Bytes::from(out)
}

/// `path`'s bytes in `encoding`, compressed once.
pub fn packed(path: &str, encoding: Encoding) -> Option<Bytes> {
    let slot = PACKED.get(path)?;
    let cell = match encoding {
        Encoding::Brotli => &slot.brotli,
        Encoding::Gzip => &slot.gzip,
    };
    Some(
        cell.get_or_init(|| compress(&Assets::get(path).expect("listed").data, encoding))
            .clone(),
    )
}

/// Types that are packed already (images, fonts) gain nothing from compression.
fn worth_compressing(mime: &mime_guess::Mime) -> bool {
    mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "svg" | "manifest+json"
        )
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json")
}

pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let encoding = if worth_compressing(&mime) {
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .and_then(choose)
    } else {
        None
    };
    let mut response = match encoding.and_then(|e| Some((e, packed(&path, e)?))) {
        Some((e, bytes)) => ([(header::CONTENT_ENCODING, e.token())], bytes).into_response(),
        // Embedded files are borrowed from the binary in a release build: sent
        // as they are, not copied per request.
        None => match file.data {
            std::borrow::Cow::Borrowed(data) => Bytes::from_static(data),
            std::borrow::Cow::Owned(data) => Bytes::from(data),
        }
        .into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_str(mime.as_ref())
            .unwrap_or(header::HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_follows_what_the_browser_accepts() {
        for (accept, want) in [
            ("gzip, deflate, br, zstd", Some(Encoding::Brotli)),
            ("gzip, deflate, br", Some(Encoding::Brotli)),
            ("gzip", Some(Encoding::Gzip)),
            ("br;q=0, gzip", Some(Encoding::Gzip)),
            ("BR;q=0.5", Some(Encoding::Brotli)),
            ("*", Some(Encoding::Brotli)),
            ("*;q=0, gzip", Some(Encoding::Gzip)),
            ("identity", None),
            ("br;q=0, gzip;q=0", None),
            ("", None),
            ("zstd", None),
        ] {
            assert_eq!(choose(accept), want, "{accept:?}");
        }
    }

    #[test]
    fn packed_files_come_back_as_they_were() {
        use std::io::Read;
        for path in ["app.css", "app.js"] {
            let plain = get(path).expect("embedded");
            let br = packed(path, Encoding::Brotli).unwrap();
            let mut out = Vec::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, plain.as_ref(), "{path} br");
            assert!(br.len() < plain.len() / 2, "{path}: {} B", br.len());
            let gz = packed(path, Encoding::Gzip).unwrap();
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, plain.as_ref(), "{path} gzip");
        }
        assert!(packed("no-such-file.css", Encoding::Gzip).is_none());
    }
}
