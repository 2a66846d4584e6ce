//! The readable text of a rendered page, for the search index: the page's
//! content element (the first element of class `content`, else `<main>`,
//! else the whole document) with its tags stripped, entities decoded and
//! whitespace collapsed. What a reader does not read as prose is left out:
//! scripts (chart option JSON), styles, tables, navigation, forms and
//! dropdowns, SVG, elements marked `aria-hidden="true"` (heading anchors)
//! and the tables' download links and notes. The text is bounded in length.
//!
//! A small tolerant tokenizer, not a full HTML parser: the pages are our own
//! output (or a user's theme around it), and whatever malformed markup it
//! meets it turns into text or skips, never panics.

/// Elements left out of the text with everything inside them.
const SKIPPED_ELEMENTS: &[&str] = &[
    "button", "canvas", "iframe", "math", "nav", "noscript", "object", "script", "select", "style",
    "svg", "table", "template", "textarea", "title",
];

/// Classes of elements left out: table download links and row notes
/// (`render::table_html`), chart dropdown labels (`chart::embed`) and
/// heading anchors.
const SKIPPED_CLASSES: &[&str] = &[
    "anchor",
    "chart-select-label",
    "table-actions",
    "table-note",
];

/// Elements whose content is raw text (no tags inside until their end tag).
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp"];

/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements inside a line of text: no word break at their tags.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// The page's readable text, at most `max_chars` characters (cut at a word
/// boundary).
pub fn page_text(html: &str, max_chars: usize) -> String {
    let region = content_region(html);
    let mut sink = Sink::new(max_chars);
    let mut skipping: Option<(String, usize)> = None;
    for token in Tokens::new(region) {
        if sink.full {
            break;
        }
        if let Some((name, depth)) = &mut skipping {
            match &token {
                Token::Start(tag) if tag.name == *name && !tag.closes_itself() => *depth += 1,
                Token::End(end) if end == name => {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                        sink.space();
                    }
                }
                _ => {}
            }
            continue;
        }
        match token {
            Token::Text(text) => sink.text(&decode_entities(text)),
            Token::Raw => {}
            Token::Start(tag) => {
                if is_skipped(&tag) {
                    if !tag.closes_itself() {
                        skipping = Some((tag.name, 1));
                    }
                } else if !INLINE.contains(&tag.name.as_str()) {
                    sink.space();
                }
            }
            Token::End(name) => {
                if !INLINE.contains(&name.as_str()) {
                    sink.space();
                }
            }
        }
    }
    sink.finish()
}

fn is_skipped(tag: &Tag) -> bool {
    if SKIPPED_ELEMENTS.contains(&tag.name.as_str()) {
        return true;
    }
    if attribute(tag.attrs, "aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    attribute(tag.attrs, "class").is_some_and(|classes| {
        classes
            .split_ascii_whitespace()
            .any(|c| SKIPPED_CLASSES.contains(&c))
    })
}

/// The inner HTML of the page's content element: the first element of
/// class `content`, else `<main>`, else `<body>`, else the whole text.
fn content_region(html: &str) -> &str {
    let has_class = |tag: &Tag, class: &str| {
        attribute(tag.attrs, "class")
            .is_some_and(|classes| classes.split_ascii_whitespace().any(|c| c == class))
    };
    inner_of(html, |t| has_class(t, "content"))
        .or_else(|| inner_of(html, |t| t.name == "main"))
        .or_else(|| inner_of(html, |t| t.name == "body"))
        .unwrap_or(html)
}

/// The inner HTML of the first element `wanted` picks (to its end tag, or
/// to the end of the text when it is never closed).
fn inner_of(html: &str, wanted: impl Fn(&Tag) -> bool) -> Option<&str> {
    let mut tokens = Tokens::new(html);
    let (name, start) = loop {
        match tokens.next()? {
            Token::Start(tag) if !tag.closes_itself() && wanted(&tag) => {
                break (tag.name, tokens.pos);
            }
            _ => {}
        }
    };
    let mut depth = 1;
    loop {
        let before = tokens.pos;
        match tokens.next() {
            None => return Some(&html[start..]),
            Some(Token::Start(tag)) if tag.name == name && !tag.closes_itself() => depth += 1,
            Some(Token::End(end)) if end == name => {
                depth -= 1;
                if depth == 0 {
                    return Some(&html[start..before]);
                }
            }
            _ => {}
        }
    }
}

/// A start tag: its lowercase name and the text of its attributes.
struct Tag<'a> {
    name: String,
    attrs: &'a str,
    self_closing: bool,
}

impl Tag<'_> {
    /// Whether nothing follows that belongs inside it.
    fn closes_itself(&self) -> bool {
        self.self_closing || VOID.contains(&self.name.as_str())
    }
}

enum Token<'a> {
    Text(&'a str),
    /// The content of a raw-text element (a script's code).
    Raw,
    Start(Tag<'a>),
    /// An end tag's lowercase name.
    End(String),
}

/// The tags and text of an HTML string, in order; comments, doctypes and
/// processing instructions are dropped.
struct Tokens<'a> {
    html: &'a str,
    pos: usize,
    /// Inside a raw-text element: its name.
    raw: Option<String>,
}

impl<'a> Tokens<'a> {
    fn new(html: &'a str) -> Self {
        Tokens {
            html,
            pos: 0,
            raw: None,
        }
    }

    /// Step over a raw-text element's content; whether there was any.
    fn skip_raw_text(&mut self, name: &str) -> bool {
        let rest = &self.html[self.pos..];
        let end = find_end_tag(rest, name).unwrap_or(rest.len());
        self.pos += end;
        end > 0
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if let Some(name) = self.raw.take()
                && self.skip_raw_text(&name)
            {
                return Some(Token::Raw);
            }
            let rest = &self.html[self.pos..];
            if rest.is_empty() {
                return None;
            }
            let Some(lt) = rest.find('<') else {
                self.pos = self.html.len();
                return Some(Token::Text(rest));
            };
            if lt > 0 {
                self.pos += lt;
                return Some(Token::Text(&rest[..lt]));
            }
            match parse_markup(rest) {
                Markup::Skip(len) => self.pos += len,
                Markup::End(name, len) => {
                    self.pos += len;
                    return Some(Token::End(name));
                }
                Markup::Start(tag, len) => {
                    self.pos += len;
                    if RAW_TEXT.contains(&tag.name.as_str()) && !tag.self_closing {
                        self.raw = Some(tag.name.clone());
                    }
                    return Some(Token::Start(tag));
                }
                Markup::Text => {
                    self.pos += 1;
                    return Some(Token::Text("<"));
                }
            }
        }
    }
}

enum Markup<'a> {
    /// A comment, doctype or processing instruction of this length.
    Skip(usize),
    End(String, usize),
    Start(Tag<'a>, usize),
    /// A `<` that starts no tag: text.
    Text,
}

/// The markup `text` (which starts with `<`) begins with.
fn parse_markup(text: &str) -> Markup<'_> {
    if let Some(body) = text.strip_prefix("<!--") {
        let len = body.find("-->").map_or(text.len(), |i| 4 + i + 3);
        return Markup::Skip(len);
    }
    if text.starts_with("<!") || text.starts_with("<?") {
        return Markup::Skip(text.find('>').map_or(text.len(), |i| i + 1));
    }
    let (closing, after) = match text.strip_prefix("</") {
        Some(rest) => (true, rest),
        None => (false, &text[1..]),
    };
    let name_len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
        .count();
    if name_len == 0 || !after.as_bytes()[0].is_ascii_alphabetic() {
        return Markup::Text;
    }
    let name = after[..name_len].to_ascii_lowercase();
    let attrs_start = text.len() - after.len() + name_len;
    let Some(close) = tag_end(&text[attrs_start..]) else {
        return Markup::Text;
    };
    let len = attrs_start + close + 1;
    if closing {
        return Markup::End(name, len);
    }
    let attrs = &text[attrs_start..attrs_start + close];
    let self_closing = attrs.trim_end().ends_with('/');
    Markup::Start(
        Tag {
            name,
            attrs,
            self_closing,
        },
        len,
    )
}

/// The position of the `>` that ends a tag whose attributes start `text`
/// (a `>` inside a quoted value does not).
fn tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in text.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Where `</name` (any case, followed by a space, `/` or `>`) starts in `text`.
fn find_end_tag(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("</").map(|i| from + i) {
        let candidate = &bytes[i + 2..];
        let matches = candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && candidate
                .get(name.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>');
        if matches {
            return Some(i);
        }
        from = i + 2;
    }
    None
}

/// The value of attribute `name` in a tag's attribute text (entities left
/// as they are).
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let key = &attrs[start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let (from, to) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = attrs[i + 1..]
                        .find(q as char)
                        .map_or(attrs.len(), |e| i + 1 + e);
                    (i + 1, end)
                }
                _ => {
                    let end = attrs[i..]
                        .find(|c: char| c.is_ascii_whitespace())
                        .map_or(attrs.len(), |e| i + e);
                    (i, end)
                }
            };
            value = &attrs[from..to];
            i = (to + 1).min(attrs.len()).max(from);
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
        if i == start {
            i += 1;
        }
    }
    None
}

/// Text with HTML character references decoded (numeric ones and the
/// named ones our Markdown and templates write); an unknown one stays as
/// it is.
fn decode_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&end| end <= 32)
            .and_then(|end| Some((entity(&rest[1..1 + end])?, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The character an entity name (between `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return Some(
            char::from_u32(code)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}'),
        );
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "times" => '×',
        _ => return None,
    })
}

/// Collects text with whitespace collapsed to single spaces, up to a
/// number of characters.
struct Sink {
    out: String,
    chars: usize,
    max: usize,
    pending_space: bool,
    full: bool,
    /// Whether the text was cut inside a word.
    cut_word: bool,
}

impl Sink {
    fn new(max: usize) -> Self {
        Sink {
            out: String::new(),
            chars: 0,
            max,
            pending_space: false,
            full: false,
            cut_word: false,
        }
    }

    /// A word break.
    fn space(&mut self) {
        self.pending_space = true;
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if self.full {
                return;
            }
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if self.pending_space && !self.out.is_empty() {
                self.push(' ');
            }
            self.pending_space = false;
            self.push(c);
        }
    }

    fn push(&mut self, c: char) {
        if self.full {
            return;
        }
        if self.chars == self.max {
            self.full = true;
            self.cut_word = c != ' ';
            return;
        }
        self.out.push(c);
        self.chars += 1;
    }

    /// The text; one cut short loses its last, partial word.
    fn finish(mut self) -> String {
        if self.cut_word
            && let Some(space) = self.out.rfind(' ')
        {
            self.out.truncate(space);
        }
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        page_text(html, 10_000)
    }

    #[test]
    fn tags_go_blocks_break_words_inline_tags_do_not() {
        assert_eq!(
            text(
                "<p>Pelanggan <strong>B2B</strong>an</p><p>Kedua<br>baris</p><ul><li>a</li><li>b</li></ul>"
            ),
            "Pelanggan B2Ban Kedua baris a b"
        );
    }

    #[test]
    fn scripts_styles_tables_navigation_and_hidden_parts_are_left_out() {
        let html = concat!(
            "<h2 id=\"x\">Temuan <a class=\"anchor\" href=\"#x\" aria-hidden=\"true\">#</a></h2>",
            "<figure class=\"chart\"><label class=\"chart-select-label\"><span>Negara</span> ",
            "<select class=\"chart-select\"><option>Jerman</option></select></label>",
            "<div class=\"chart-canvas\"></div>",
            "<script type=\"application/json\" class=\"chart-option\">{\"a\":\"</div><p>no\"}</script>",
            "<figcaption>Pendapatan per bulan</figcaption></figure>",
            "<style>p { color: red }</style>",
            "<div class=\"table-block\"><div class=\"table-wrap\"><table><tr><td>sel</td></tr>",
            "<tr><td><table><tr><td>dalam</td></tr></table>luar</td></tr></table></div>",
            "<p class=\"table-note\">Menampilkan 10</p><p class=\"table-actions\"><a>Unduh CSV</a></p></div>",
            "<nav><a>Berikutnya</a></nav><svg><text>7</text></svg><p>Akhir</p>"
        );
        assert_eq!(text(html), "Temuan Pendapatan per bulan Akhir");
    }

    #[test]
    fn the_content_element_is_preferred_to_main_and_body() {
        let page = "<html><head><title>T</title></head><body><header>Menu</header>\
                    <main><h1>Judul</h1><div class=\"page-x content\"><div><p>Isi</p></div>\
                    <p>lagi</p></div><nav class=\"pager\">Berikutnya</nav></main><footer>Kaki</footer></body></html>";
        assert_eq!(text(page), "Isi lagi");
        let no_content = "<body><header>Menu</header><main><p>Utama</p></main><p>Kaki</p></body>";
        assert_eq!(text(no_content), "Utama");
        assert_eq!(text("<body><p>Badan</p></body>"), "Badan");
        assert_eq!(text("lepas <b>saja</b>"), "lepas saja");
    }

    #[test]
    fn entities_are_decoded_once_and_unknown_ones_kept() {
        assert_eq!(
            text(
                "<p>&lt;script&gt; &amp;lt; &#39;a&#x27; &quot;b&quot; Rp&nbsp;1.234 &bogus; &#0; 3 &amp 4</p>"
            ),
            "<script> &lt; 'a' \"b\" Rp 1.234 &bogus; \u{fffd} 3 &amp 4"
        );
    }

    #[test]
    fn comments_and_malformed_markup_never_panic() {
        assert_eq!(text("<p>a<!-- <p>b</p> -->c</p>"), "ac");
        assert_eq!(text("<p>1 < 2 and 3 <4</p>"), "1 < 2 and 3 <4");
        assert_eq!(text("<p>x <!-- open"), "x");
        assert_eq!(text("<p>x <script>never closed"), "x");
        assert_eq!(text("<div class=\"content\"><p>unclosed"), "unclosed");
        assert_eq!(text("<p title=\"a>b\">quoted</p>"), "quoted");
        assert_eq!(text("<p>é</p><p>ü</p>"), "é ü");
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary() {
        let html = "<p>satu dua tiga empat lima</p>";
        assert_eq!(page_text(html, 12), "satu dua");
        assert_eq!(page_text(html, 13), "satu dua tiga");
        assert_eq!(page_text(html, 100), "satu dua tiga empat lima");
    }

    #[test]
    fn attributes_are_read_with_any_quoting() {
        assert_eq!(attribute(" class=\"a b\" id=x", "class"), Some("a b"));
        assert_eq!(attribute(" id=x class='c'", "class"), Some("c"));
        assert_eq!(attribute(" hidden data-x=\"class=no\"", "class"), None);
        assert_eq!(attribute(" CLASS=y /", "class"), Some("y"));
    }
}
