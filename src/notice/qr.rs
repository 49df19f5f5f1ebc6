//! QR codes of notice links, drawn from the module matrix: SVG for pages and print (crisp at
//! any size), PNG for chat apps that do not take SVG. Error correction M survives a crease
//! or a little dirt on a notice board; the quiet zone is the standard four modules.

use qrcode::{Color, EcLevel, QrCode};

use crate::error::{AppError, AppResult};

const QUIET: usize = 4;

/// The dark and light modules of one code, row by row.
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    pub fn of(link: &str) -> AppResult<Self> {
        let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)
            .map_err(AppError::internal)?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// The side with its quiet zone, in modules.
    fn side(&self) -> usize {
        self.width + 2 * QUIET
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// An SVG that scales to its container: one path, a run of dark modules per segment.
    pub fn svg(&self) -> String {
        let side = self.side();
        let mut path = String::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!("M{} {}h{run}v1h-{run}z", start + QUIET, y + QUIET));
            }
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="二维码"><rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
        )
    }

    /// A black-and-white PNG, `scale` pixels per module.
    pub fn png(&self, scale: usize) -> AppResult<Vec<u8>> {
        let pixels = self.side() * scale;
        let side = u32::try_from(pixels).map_err(AppError::internal)?;
        // One bit per pixel, 1 is white; rows padded to whole bytes.
        let row_bytes = pixels.div_ceil(8);
        let mut data = vec![0u8; row_bytes * pixels];
        for py in 0..pixels {
            for px in 0..pixels {
                let (mx, my) = (px / scale, py / scale);
                let inside = (QUIET..QUIET + self.width).contains(&mx)
                    && (QUIET..QUIET + self.width).contains(&my);
                if !(inside && self.is_dark(mx - QUIET, my - QUIET))
                    && let Some(byte) = data.get_mut(py * row_bytes + px / 8)
                {
                    *byte |= 0x80 >> (px % 8);
                }
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().map_err(AppError::internal)?;
        writer.write_image_data(&data).map_err(AppError::internal)?;
        writer.finish().map_err(AppError::internal)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_draws_as_svg_and_png_with_a_quiet_zone() {
        let qr = Qr::of("http://127.0.0.1:8080/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(qr.width >= 21 && qr.width % 4 == 1, "{}", qr.width);
        let svg = qr.svg();
        assert!(
            svg.starts_with("<svg") && svg.contains("M4 4h7v1h-7z"),
            "{svg}"
        );
        let png = qr.png(4).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
