//! Just enough of an HTML tokenizer to check rendered pages: the tags and
//! attributes a browser would see, and whether a URL attribute would run
//! script.

/// One start or end tag with its attributes (names lowercased).
#[derive(Debug, PartialEq)]
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// The tags of `html`, in order, read the way a browser's tokenizer reads
/// them (comments skipped; `<` not followed by a letter or `/` is text).
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let start = if b.get(i) == Some(&b'/') { i + 1 } else { i };
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut j = start;
        while j < b.len() && !is_space(b[j]) && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let (attributes, end) = attributes(html, j);
        out.push(Tag { name, attributes });
        i = end;
    }
    out
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The attributes from `at` to the end of the tag, and where it ends.
fn attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut out = Vec::new();
    loop {
        while at < b.len() && (is_space(b[at]) || b[at] == b'/') {
            at += 1;
        }
        if at >= b.len() || b[at] == b'>' {
            return (out, (at + 1).min(b.len()));
        }
        let name_start = at;
        at += 1;
        while at < b.len() && !is_space(b[at]) && !matches!(b[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        while at < b.len() && is_space(b[at]) {
            at += 1;
        }
        let mut value = String::new();
        if b.get(at) == Some(&b'=') {
            at += 1;
            while at < b.len() && is_space(b[at]) {
                at += 1;
            }
            match b.get(at) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[at + 1..]
                        .find(q as char)
                        .map_or(b.len(), |e| at + 1 + e);
                    value = html[at + 1..end].to_string();
                    at = (end + 1).min(b.len());
                }
                _ => {
                    let start = at;
                    while at < b.len() && !is_space(b[at]) && b[at] != b'>' {
                        at += 1;
                    }
                    value = html[start..at].to_string();
                }
            }
        }
        out.push((name, decode_entities(&value)));
    }
}

/// Character references decoded as a browser does in an attribute value
/// (numeric ones and the few named ones that matter for URLs).
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map_or(rest.len(), |e| e + 1);
        let body = &rest[1..end];
        let decoded = if let Some(num) = body.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => num.parse().ok(),
            };
            n.and_then(char::from_u32)
        } else {
            match body {
                "amp" => Some('&'),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                _ => None,
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = rest[end..].strip_prefix(';').unwrap_or(&rest[end..]);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a browser would run `url` as script or a document of its own:
/// its scheme (tabs and newlines dropped, leading controls and spaces
/// trimmed, percent-decoding not applied, as browsers do) is
/// `javascript`, `vbscript` or `data`.
pub fn is_script_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let lower = cleaned
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// Attributes whose value is a URL.
pub const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "cite",
    "srcset",
    "data",
    "background",
];
