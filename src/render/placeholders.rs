//! Values and placed HTML travel through Markdown as placeholders, so that
//! no value can become markup (as Zola does for shortcodes). Tera writes
//! every `{{ value }}` of a narrative as a text placeholder — the value's
//! bytes in hex between two private-use characters, which Markdown reads as
//! a plain word — and `chart()`, `table()` and `kpis()` write their HTML as a
//! block placeholder. After pulldown-cmark has parsed the page, `resolve`
//! puts the values back as text events (escaped when written out) and the
//! blocks as HTML, splitting the paragraph a block stands in. Link targets
//! are checked last: only relative, `http(s):` and `mailto:` URLs survive.

use crate::chart::escape_html;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

const TEXT_OPEN: char = '\u{E000}';
const TEXT_CLOSE: char = '\u{E001}';
const BLOCK_OPEN: char = '\u{E002}';
const BLOCK_CLOSE: char = '\u{E003}';

/// The placeholder of a value shown as text (Tera's escape function for
/// narratives).
pub fn text_placeholder(value: &str) -> String {
    wrap(TEXT_OPEN, value, TEXT_CLOSE)
}

/// The placeholder of trusted HTML placed as a block (a chart, a table).
pub fn block_placeholder(html: &str) -> String {
    wrap(BLOCK_OPEN, html, BLOCK_CLOSE)
}

fn wrap(open: char, content: &str, close: char) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(content.len() * 2 + 6);
    out.push(open);
    for b in content.bytes() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out.push(close);
    out
}

/// A piece of text with placeholders in it.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Literal(&'a str),
    Value(String),
    Block(String),
}

/// Split `text` at its placeholders. A marker without a valid placeholder
/// after it is kept as literal text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find([TEXT_OPEN, BLOCK_OPEN]) {
        let open = rest[start..].chars().next().unwrap_or(TEXT_OPEN);
        let close = if open == TEXT_OPEN {
            TEXT_CLOSE
        } else {
            BLOCK_CLOSE
        };
        let body_start = start + open.len_utf8();
        let decoded = rest[body_start..]
            .find(close)
            .and_then(|len| Some((len, decode_hex(&rest[body_start..body_start + len])?)));
        let Some((len, content)) = decoded else {
            out.push(Piece::Literal(&rest[..body_start]));
            rest = &rest[body_start..];
            continue;
        };
        if start > 0 {
            out.push(Piece::Literal(&rest[..start]));
        }
        out.push(if open == TEXT_OPEN {
            Piece::Value(content)
        } else {
            Piece::Block(content)
        });
        rest = &rest[body_start + len + close.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

fn decode_hex(hex: &str) -> Option<String> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let raw: Option<Vec<u8>> = bytes
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect();
    String::from_utf8(raw?).ok()
}

/// `text` with every placeholder replaced by its value (blocks dropped):
/// for plain-text uses such as a heading's id or a search index.
pub fn plain_text(text: &str) -> String {
    pieces(text)
        .into_iter()
        .map(|p| match p {
            Piece::Literal(s) => s.to_string(),
            Piece::Value(v) => v,
            Piece::Block(_) => String::new(),
        })
        .collect()
}

/// `html` (raw HTML the page itself wrote) with values escaped for where
/// they stand, URLs checked, and blocks inserted.
pub fn resolve_html(html: &str) -> String {
    resolve_html_after(&mut Tags::default(), html)
}

/// `resolve_html` for a piece of raw HTML that continues what `tags` has
/// read (the earlier lines of an HTML block), which a value's place
/// depends on.
fn resolve_html_after(tags: &mut Tags, html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for piece in pieces(html) {
        let written = match piece {
            Piece::Literal(s) => s.to_string(),
            Piece::Block(b) => b,
            Piece::Value(v) => html_value(&v, tags.place()),
        };
        tags.read(&written);
        out.push_str(&written);
    }
    out
}

/// Where in raw HTML a value stands.
#[derive(Debug, PartialEq)]
enum Place<'a> {
    /// Between tags, or in a comment.
    Text,
    /// Inside a tag where a tag or attribute name goes.
    Name,
    /// In an attribute's value (`so_far`: its text before the value).
    Value {
        quoted: bool,
        url: bool,
        so_far: &'a str,
    },
}

/// Raw HTML read the way a browser's tokenizer reads tags (their names,
/// attribute names and quoted or unquoted values), as it is written.
#[derive(Debug, Default)]
struct Tags {
    state: TagState,
    /// The name of the attribute being read, and its value so far.
    name: String,
    value: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum TagState {
    #[default]
    Text,
    /// After `<` (or `</`).
    Open,
    TagName,
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    Quoted(char),
    Unquoted,
}

impl Tags {
    fn read(&mut self, html: &str) {
        for c in html.chars() {
            self.step(c);
        }
    }

    fn step(&mut self, c: char) {
        use TagState::*;
        let space = matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
        self.state = match self.state {
            Text | Open if c == '<' => Open,
            Open if c.is_ascii_alphabetic() => TagName,
            Open if c == '/' => Open,
            Text | Open => Text,
            TagName | BeforeName | Name | AfterName | BeforeValue | Unquoted if c == '>' => Text,
            TagName if space || c == '/' => BeforeName,
            TagName => TagName,
            BeforeName if space || c == '/' => BeforeName,
            Name if c == '/' => BeforeName,
            AfterName if c == '/' => BeforeName,
            Name | AfterName if space => AfterName,
            Name | AfterName if c == '=' => BeforeValue,
            BeforeName | AfterName => {
                self.name.clear();
                self.name.push(c);
                Name
            }
            Name => {
                self.name.push(c);
                Name
            }
            BeforeValue if space => BeforeValue,
            BeforeValue => {
                self.value.clear();
                if c == '"' || c == '\'' {
                    Quoted(c)
                } else {
                    self.value.push(c);
                    Unquoted
                }
            }
            Quoted(q) if c == q => BeforeName,
            Unquoted if space => BeforeName,
            Quoted(_) | Unquoted => {
                self.value.push(c);
                self.state
            }
        };
    }

    /// The place of what comes next.
    fn place(&self) -> Place<'_> {
        let url = is_url_attribute(&self.name);
        match self.state {
            TagState::Text => Place::Text,
            TagState::BeforeValue => Place::Value {
                quoted: false,
                url,
                so_far: "",
            },
            TagState::Quoted(_) | TagState::Unquoted => Place::Value {
                quoted: self.state != TagState::Unquoted,
                url,
                so_far: &self.value,
            },
            _ => Place::Name,
        }
    }
}

/// Whether the attribute `name` takes a URL.
fn is_url_attribute(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "href" | "src" | "action" | "formaction" | "xlink:href" | "poster" | "cite" | "srcset"
    )
}

/// A value written where it stands in raw HTML: as text; in an attribute
/// value, escaped so that it cannot end the value (and `#` when it would
/// give the URL so far a scheme other than `http(s)` or `mailto`); where a
/// name goes, as character references, which name no tag or attribute.
fn html_value(value: &str, place: Place) -> String {
    match place {
        Place::Text => escape_html(value),
        Place::Name => value
            .chars()
            .map(|c| format!("&#{};", u32::from(c)))
            .collect(),
        Place::Value {
            quoted,
            url,
            so_far,
        } => {
            let url_so_far = format!("{so_far}{value}");
            let value = if url && safe_url(&url_so_far) != url_so_far {
                "#"
            } else {
                value
            };
            if quoted {
                return escape_html(value);
            }
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                match c {
                    ' ' | '\t' | '\n' | '\r' | '\x0c' | '=' | '`' => {
                        out.push_str(&format!("&#{};", u32::from(c)))
                    }
                    _ => out.push_str(&escape_html(c.encode_utf8(&mut [0; 4]))),
                }
            }
            out
        }
    }
}

/// `url` when it is relative or uses `http`, `https` or `mailto`; else `#`.
pub fn safe_url(url: &str) -> String {
    // Browsers drop tabs and newlines anywhere and leading controls and
    // spaces before reading the scheme.
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let trimmed = cleaned.trim_start_matches(|c: char| c <= ' ');
    let scheme_end = trimmed.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if trimmed[i..].starts_with(':') => {
            let scheme = trimmed[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                url.to_string()
            } else {
                "#".to_string()
            }
        }
        _ => url.to_string(),
    }
}

/// The events of a parsed page with placeholders resolved (see the module
/// documentation).
pub fn resolve(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    // Where the paragraph being written started in `out`, if inside one.
    let mut paragraph: Option<usize> = None;
    // The tags of the HTML block being written, whose lines come one by one.
    let mut html_block = Tags::default();
    for event in merge_text(events) {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Tags::default();
                out.push(Event::Start(Tag::HtmlBlock));
            }
            Event::Start(Tag::Paragraph) => {
                paragraph = Some(out.len());
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                close_paragraph(&mut out, paragraph.take());
            }
            Event::Text(text) => {
                for piece in pieces(&text) {
                    match piece {
                        Piece::Literal(s) => out.push(Event::Text(CowStr::from(s.to_string()))),
                        Piece::Value(v) => out.push(Event::Text(CowStr::from(v))),
                        Piece::Block(html) => match paragraph {
                            // A block ends the paragraph it stands in; the
                            // text after it starts a new one.
                            Some(start) => {
                                close_paragraph(&mut out, Some(start));
                                out.push(Event::Html(CowStr::from(html + "\n")));
                                paragraph = Some(out.len());
                                out.push(Event::Start(Tag::Paragraph));
                            }
                            None => out.push(Event::InlineHtml(CowStr::from(html))),
                        },
                    }
                }
            }
            Event::Code(code) => out.push(Event::Code(CowStr::from(plain_text(&code)))),
            Event::Html(html) => out.push(Event::Html(CowStr::from(resolve_html_after(
                &mut html_block,
                &html,
            )))),
            Event::InlineHtml(html) => {
                out.push(Event::InlineHtml(CowStr::from(resolve_html(&html))))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest_url, title) = safe_target(&dest_url, &title);
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest_url, title) = safe_target(&dest_url, &title);
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
            other => out.push(other),
        }
    }
    out
}

/// A link's or image's target and title with values put back, the target
/// made safe.
fn safe_target<'a>(dest_url: &str, title: &str) -> (CowStr<'a>, CowStr<'a>) {
    (
        CowStr::from(safe_url(&plain_text(dest_url))),
        CowStr::from(plain_text(title)),
    )
}

/// End the paragraph that started at `start` in `out`: dropped when it
/// holds nothing but white space (what is left around a block).
fn close_paragraph(out: &mut Vec<Event>, start: Option<usize>) {
    let Some(start) = start else {
        out.push(Event::End(TagEnd::Paragraph));
        return;
    };
    let empty = out[start + 1..].iter().all(|e| match e {
        Event::Text(t) => t.trim().is_empty(),
        Event::SoftBreak | Event::HardBreak => true,
        _ => false,
    });
    if empty {
        out.truncate(start);
    } else {
        while matches!(out.last(), Some(Event::SoftBreak | Event::HardBreak)) {
            out.pop();
        }
        out.push(Event::End(TagEnd::Paragraph));
    }
}

/// Adjacent text events joined, so that no placeholder is split.
fn merge_text(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Text(prev)), Event::Text(next)) => {
                let joined = format!("{prev}{next}");
                *prev = CowStr::from(joined);
            }
            (_, event) => out.push(event),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_plain_words_that_give_back_their_value() {
        let value = "[x](javascript:alert(5)) *b* _i_ `c` ~~s~~ # h | é";
        let p = text_placeholder(value);
        assert!(
            p.chars()
                .skip(1)
                .take_while(|c| *c != TEXT_CLOSE)
                .all(|c| c.is_ascii_hexdigit())
        );
        assert_eq!(plain_text(&format!("a {p} b")), format!("a {value} b"));
        assert_eq!(
            pieces(&format!("x{}y", block_placeholder("<b>"))),
            [
                Piece::Literal("x"),
                Piece::Block("<b>".into()),
                Piece::Literal("y")
            ]
        );
        // A stray or damaged marker stays literal text.
        assert_eq!(
            plain_text("a\u{E000}zz\u{E001}b\u{E000}"),
            "a\u{E000}zz\u{E001}b\u{E000}"
        );
    }

    #[test]
    fn urls_keep_only_safe_schemes() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:x",
            "vbscript:msgbox",
            "data:text/html,<script>",
        ] {
            assert_eq!(safe_url(bad), "#", "{bad:?}");
        }
        for good in [
            "https://a.b/c",
            "http://x",
            "mailto:a@b.c",
            "page.html",
            "#top",
            "/x:y",
            "a/b:c",
            "?q=a:b",
        ] {
            assert_eq!(safe_url(good), good);
        }
    }

    fn place_at_end(html: &str) -> String {
        let mut tags = Tags::default();
        tags.read(html);
        match tags.place() {
            Place::Text => "text".into(),
            Place::Name => "name".into(),
            Place::Value { quoted, url, .. } => format!("value quoted={quoted} url={url}"),
        }
    }

    #[test]
    fn url_attributes_are_recognised() {
        assert_eq!(
            place_at_end("<a class=\"x\" href=\""),
            "value quoted=true url=true"
        );
        assert_eq!(place_at_end("<img SRC = '"), "value quoted=true url=true");
        assert_eq!(place_at_end("<a href="), "value quoted=false url=true");
        assert_eq!(place_at_end("<a title=\""), "value quoted=true url=false");
        assert_eq!(place_at_end("<a title=\"x\" "), "name");
        assert_eq!(place_at_end("<"), "name");
        assert_eq!(place_at_end("<a title=\"a>b\">"), "text");
        assert_eq!(place_at_end("x < y "), "text");
        assert_eq!(
            resolve_html(&format!(
                "<a href=\"{}\">",
                text_placeholder("javascript:x")
            )),
            "<a href=\"#\">"
        );
        assert_eq!(
            resolve_html(&format!(
                "<i title=\"{}\">",
                text_placeholder("\"><script>")
            )),
            "<i title=\"&quot;&gt;&lt;script&gt;\">"
        );
    }

    #[test]
    fn values_stay_in_their_attribute_and_name_nothing() {
        let v = text_placeholder;
        let resolved = |html: String| resolve_html(&html);
        // Unquoted: the value stays one attribute value.
        assert_eq!(
            resolved(format!("<span class={}>", v("x onclick=alert(1)"))),
            "<span class=x&#32;onclick&#61;alert(1)>"
        );
        assert_eq!(
            resolved(format!("<a href={}>", v("javascript:alert(1)"))),
            "<a href=#>"
        );
        // A URL's scheme counts what stands before the value: spaces, and
        // values before it.
        assert_eq!(
            resolved(format!("<a href=\" {}\">", v("javascript:x"))),
            "<a href=\" #\">"
        );
        assert_eq!(
            resolved(format!("<a href=\"{}{}\">", v("java"), v("script:x"))),
            "<a href=\"java#\">"
        );
        assert_eq!(
            resolved(format!("<a href=\"/r/{}\">", v("javascript:x"))),
            "<a href=\"/r/javascript:x\">"
        );
        // Where a name goes, a value names nothing.
        assert_eq!(resolved(format!("<{}>", v("b"))), "<&#98;>");
        assert_eq!(
            resolved(format!("<a {}>", v("onclick"))),
            "<a &#111;&#110;&#99;&#108;&#105;&#99;&#107;>"
        );
    }

    #[test]
    fn a_tag_may_span_the_lines_of_an_html_block() {
        let md = format!("<div\nclass={}>\n</div>\n", text_placeholder("x onclick=y"));
        let events = resolve(pulldown_cmark::Parser::new(&md).collect());
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        assert_eq!(html, "<div\nclass=x&#32;onclick&#61;y>\n</div>\n");
    }
}
