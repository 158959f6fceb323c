//! PDF files of sales documents: text laid out on A4 pages in an embedded,
//! subsetted Unicode font (DejaVu Sans, compiled into the binary: Latin,
//! Polish, Lithuanian, Cyrillic for Russian and Bulgarian), with a ToUnicode
//! map so that the text can be searched, copied and extracted.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
pub const MARGIN: f32 = 50.0;

enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    /// The document's image (a logo), its lower left corner and size.
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// A JPEG embedded as is (the PDF reader decodes it).
struct Jpeg {
    data: Vec<u8>,
    width: u32,
    height: u32,
    components: u8,
}

/// The width, height and colour components of a baseline or progressive
/// JPEG, read from its frame header; `None` when the bytes are not one.
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32, u8)> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return None;
    }
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let frame = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if frame {
            let header = bytes.get(at + 4..at + 10)?;
            let height = u32::from(u16::from_be_bytes([header[1], header[2]]));
            let width = u32::from(u16::from_be_bytes([header[3], header[4]]));
            let components = header[5];
            return (width > 0 && height > 0 && [1, 3, 4].contains(&components)).then_some((width, height, components));
        }
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
    None
}

/// Where the text goes, page by page; a new page starts when a line would
/// fall into the bottom margin.
pub struct Layout {
    face: ttf_parser::Face<'static>,
    pages: Vec<Vec<Item>>,
    /// The baseline of the next line, from the bottom of the page.
    y: f32,
    image: Option<Jpeg>,
}

/// How a text sits on its line.
#[derive(Clone, Copy)]
pub enum Align {
    Left,
    Right,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::new()
    }
}

impl Layout {
    pub fn new() -> Layout {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the embedded font parses");
        Layout { face, pages: vec![Vec::new()], y: PAGE_HEIGHT - MARGIN, image: None }
    }

    /// The width of a text at a size, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let per_unit = size / f32::from(self.face.units_per_em());
        text.chars()
            .map(|c| {
                let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) * per_unit
            })
            .sum()
    }

    /// Shortens a text to fit a width, ending it with "…".
    pub fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size) <= width {
            return text.to_string();
        }
        let mut out: String = text.to_string();
        while !out.is_empty() && self.width(&format!("{out}…"), size) > width {
            out.pop();
        }
        format!("{out}…")
    }

    /// Moves down by a line of `size`, starting a page when it is full.
    pub fn line(&mut self, size: f32) {
        self.y -= size * 1.4;
        if self.y < MARGIN {
            self.pages.push(Vec::new());
            self.y = PAGE_HEIGHT - MARGIN - size * 1.4;
        }
    }

    /// Starts a new page (the next letter of a print batch).
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Leaves some space.
    pub fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// Text on the current line, left at `x` or ending at `x`.
    pub fn text(&mut self, x: f32, size: f32, align: Align, text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.width(text, size),
        };
        let y = self.y;
        self.pages.last_mut().expect("a page").push(Item::Text { x, y, size, text: text.to_string() });
    }

    /// A JPEG on the current page whose top right corner is at (`right`,
    /// the current line's top), at most `max_width` by `max_height`
    /// points, its proportions kept; one per document.
    pub fn image(&mut self, jpeg: Vec<u8>, right: f32, max_width: f32, max_height: f32) {
        let Some((width, height, components)) = jpeg_size(&jpeg) else { return };
        let scale = (max_width / width as f32).min(max_height / height as f32);
        let (w, h) = (width as f32 * scale, height as f32 * scale);
        let top = self.y;
        self.pages.last_mut().expect("a page").push(Item::Image { x: right - w, y: top - h, width: w, height: h });
        self.image = Some(Jpeg { data: jpeg, width, height, components });
    }

    /// A horizontal rule under the current line.
    pub fn rule(&mut self) {
        let y = self.y - 4.0;
        self.pages.last_mut().expect("a page").push(Item::Rule { x1: MARGIN, x2: PAGE_WIDTH - MARGIN, y });
    }

    /// Wraps a text into lines of at most `width` at `size`, and writes them.
    pub fn paragraph(&mut self, x: f32, size: f32, width: f32, text: &str) {
        for source in text.lines() {
            let mut line = String::new();
            for word in source.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, size) > width && !line.is_empty() {
                    self.line(size);
                    self.text(x, size, Align::Left, &line);
                    line = word.to_string();
                } else {
                    line = candidate;
                }
            }
            self.line(size);
            self.text(x, size, Align::Left, &line);
        }
    }

    /// The PDF file: pages, the font subset of the glyphs used, text as
    /// Unicode for readers.
    pub fn finish(self, title: &str) -> Vec<u8> {
        let mut remapper = subsetter::GlyphRemapper::new();
        // New glyph id → (the font's glyph id, the character it shows).
        let mut unicode: BTreeMap<u16, (u16, char)> = BTreeMap::new();
        let mut encoded: Vec<Vec<Vec<u8>>> = Vec::with_capacity(self.pages.len());
        for page in &self.pages {
            let mut texts = Vec::new();
            for item in page {
                if let Item::Text { text, .. } = item {
                    let mut bytes = Vec::with_capacity(text.len() * 2);
                    for c in text.chars() {
                        let old = self.face.glyph_index(c).map_or(0, |g| g.0);
                        let new = remapper.remap(old);
                        unicode.entry(new).or_insert((old, c));
                        bytes.extend_from_slice(&new.to_be_bytes());
                    }
                    texts.push(bytes);
                }
            }
            encoded.push(texts);
        }
        let font_data = subsetter::subset(FONT, 0, &remapper).expect("the embedded font subsets");

        let mut next = 1;
        let mut id = || {
            next += 1;
            Ref::new(next - 1)
        };
        let (catalog, tree, font, cid, descriptor, file, cmap, info) = (id(), id(), id(), id(), id(), id(), id(), id());
        let image_id = id();
        let page_ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (id(), id())).collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids(page_ids.iter().map(|(p, _)| *p)).count(page_ids.len() as i32);
        pdf.document_info(info).title(pdf_writer::TextStr(title)).producer(pdf_writer::TextStr("Relata"));

        let base = Name(b"RLTAAA+DejaVuSans");
        let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        pdf.type0_font(font)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let units = f32::from(self.face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let widths: Vec<(u16, f32)> = unicode
            .iter()
            .map(|(new, (old, _))| {
                (*new, f32::from(self.face.glyph_hor_advance(ttf_parser::GlyphId(*old)).unwrap_or(0)) * 1000.0 / units)
            })
            .collect();
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        {
            let mut w = cid_font.widths();
            for (glyph, width) in &widths {
                w.consecutive(*glyph, [*width]);
            }
        }
        cid_font.finish();
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)))
            .italic_angle(0.0)
            .ascent(scale(self.face.ascender()))
            .descent(scale(self.face.descender()))
            .cap_height(scale(self.face.capital_height().unwrap_or(self.face.ascender())))
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, &font_data);
        let mut map = pdf_writer::types::UnicodeCmap::new(Name(b"Relata-UTF16"), system);
        for (glyph, (_, c)) in &unicode {
            map.pair(*glyph, *c);
        }
        let map = map.finish();
        pdf.cmap(cmap, &map);
        if let Some(jpeg) = &self.image {
            let mut image = pdf.image_xobject(image_id, &jpeg.data);
            image.filter(pdf_writer::Filter::DctDecode);
            image.width(jpeg.width as i32);
            image.height(jpeg.height as i32);
            image.bits_per_component(8);
            match jpeg.components {
                1 => image.color_space().device_gray(),
                4 => image.color_space().device_cmyk(),
                _ => image.color_space().device_rgb(),
            };
            image.finish();
        }

        for ((page_id, content_id), (items, texts)) in page_ids.iter().zip(self.pages.iter().zip(encoded)) {
            let mut content = Content::new();
            let mut texts = texts.into_iter();
            for item in items {
                match item {
                    Item::Text { x, y, size, .. } => {
                        let bytes = texts.next().expect("encoded with its page");
                        content.begin_text();
                        content.set_font(Name(b"F1"), *size);
                        content.next_line(*x, *y);
                        content.show(Str(&bytes));
                        content.end_text();
                    }
                    Item::Image { x, y, width, height } => {
                        content.save_state();
                        content.transform([*width, 0.0, 0.0, *height, *x, *y]);
                        content.x_object(Name(b"Im1"));
                        content.restore_state();
                    }
                    Item::Rule { x1, x2, y } => {
                        content.set_line_width(0.5);
                        content.move_to(*x1, *y);
                        content.line_to(*x2, *y);
                        content.stroke();
                    }
                }
            }
            let data = content.finish();
            pdf.stream(*content_id, &data);
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
            page.parent(tree);
            page.contents(*content_id);
            let mut resources = page.resources();
            resources.fonts().pair(Name(b"F1"), font);
            if self.image.is_some() {
                resources.x_objects().pair(Name(b"Im1"), image_id);
            }
            resources.finish();
            page.finish();
        }
        pdf.finish()
    }
}
