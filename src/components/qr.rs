use qrcode::{Color, EcLevel, QrCode};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QrProps {
    /// What the code encodes (an `otpauth://` URI).
    pub data: AttrValue,
    /// The accessible name: says it is a QR code and what for.
    pub label: AttrValue,
}

/// The SVG path of a QR code's dark modules, one `h1v1h-1z` square each on a grid with
/// a 4-module quiet zone; returns the path and the side of the whole grid.
pub fn qr_path(data: &str) -> Option<(String, usize)> {
    let code = QrCode::with_error_correction_level(data, EcLevel::M).ok()?;
    let width = code.width();
    let mut d = String::with_capacity(width * width * 4);
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            d.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    Some((d, width + 8))
}

/// A QR code drawn in the browser as SVG, from the `qrcode` crate's module matrix:
/// nothing leaves the page (no image service sees the TOTP key).
#[function_component(Qr)]
pub fn qr(props: &QrProps) -> Html {
    let drawn = use_memo(props.data.clone(), |data| qr_path(data));
    let Some((d, side)) = (*drawn).clone() else { return html! {} };
    html! {
        <svg class="ap-qr" role="img" aria-label={props.label.clone()}
            viewBox={format!("0 0 {side} {side}")} shape-rendering="crispEdges">
            <rect width={side.to_string()} height={side.to_string()} fill="#fff" />
            <path d={d} fill="#000" />
        </svg>
    }
}
