/// The search page's icon (`/assets/icon.svg`): a magnifier over a frame, drawn in SVG so it is
/// a few hundred bytes of text like the page's other files.
enum PageIcon {
    static let text = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="2" y="4" width="22" height="18" rx="3" fill="#1f6feb"/>
<path d="M5 19l5-6 4 4 3-3 4 5z" fill="#fff"/>
<circle cx="21" cy="20" r="6" fill="#fff" stroke="#1d232b" stroke-width="2.5"/>
<path d="M25.2 24.2l4.3 4.3" stroke="#1d232b" stroke-width="3" stroke-linecap="round"/>
</svg>
"""#
}
