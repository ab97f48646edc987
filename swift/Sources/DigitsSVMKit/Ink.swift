// Ink buffers: what both preprocessing methods read, from the renderer (a drawing's crop) or
// from an app's own RGBA crop by the ink rules of `digits_svm.images.ink_levels`.

import Foundation

/// An 8-bit ink buffer: one level per pixel, 0 (no ink) ... 255 (full ink), row-major,
/// row 0 at the top. A rendered crop's levels are its alpha.
public struct InkBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var levels: [UInt8] { didSet { (spans, peak) = (nil, nil) } }
    /// The renderer's hint: row y is 0 outside columns spans[2y] ..< spans[2y + 1] (nil: unknown).
    var spans: [Int]?
    /// The renderer's hint: the highest level (nil: unknown).
    var peak: UInt8?

    /// - Precondition: `levels.count == width * height`, both sides at least 1.
    public init(width: Int, height: Int, levels: [UInt8]) {
        precondition(width >= 1 && height >= 1 && levels.count == width * height,
                     "InkBuffer: levels.count must be width * height, both at least 1")
        self.width = width
        self.height = height
        self.levels = levels
    }

    public static func == (a: InkBuffer, b: InkBuffer) -> Bool {
        a.width == b.width && a.height == b.height && a.levels == b.levels
    }

    /// Columns `first ..< end` of row `y` outside which every level is 0.
    @inline(__always)
    func span(_ y: Int) -> (Int, Int) {
        guard let spans else { return (0, width) }
        return (spans[2 * y], max(spans[2 * y + 1], spans[2 * y]))
    }

    public subscript(x: Int, y: Int) -> UInt8 { levels[y * width + x] }
}

/// Where a crop's ink comes from (Python's `ink=`).
public enum InkSource: String, CaseIterable, Sendable {
    /// Alpha when the crop has transparency, else darkness; opaque light paper reads as no ink.
    case auto
    case alpha
    /// `255 - luma` on a light background.
    case darkness
}

extension InkBuffer {
    /// Border pixels within this many luma levels of the border's median are plain background
    /// (`digits_svm.images.PLAIN_TOLERANCE`).
    public static let plainTolerance = 32

    /// The ink levels of an 8-bit RGBA crop (straight, not premultiplied, alpha), by the
    /// rules of `digits_svm.images.ink_levels`: alpha when some pixel is not opaque; but when
    /// most pixels are opaque (alpha >= 128) and their median luma is at least 128, the opaque
    /// part is paper and the ink is `(alpha * (255 - L) + 127) / 255`
    /// (`L = (19595 R + 38470 G + 7471 B + 32768) >> 16`). A fully opaque crop is paper and
    /// ink whatever their colours: the background `B` is the lower median luma of the border,
    /// and ink is how far a pixel is from it, `(B - L) * 255 / B` on light paper (`255 - L` on
    /// white), `(L - B) * 255 / (255 - B)` on a dark background (dark mode), 0 beyond it.
    ///
    /// - Parameter rgba: `width * height * 4` bytes, row-major, row 0 at the top.
    /// - Throws: `DigitsSVMError.image` when the byte count does not match the size, or an opaque
    ///   crop has no plain background (fewer than half its border pixels within `plainTolerance`).
    public init(rgba: [UInt8], width: Int, height: Int, ink: InkSource = .auto) throws {
        self.init(width: width, height: height, levels: try InkBuffer.levels(rgba: rgba, width: width, height: height, ink: ink))
    }

    private static func levels(rgba: [UInt8], width: Int, height: Int, ink: InkSource) throws -> [UInt8] {
        guard width >= 1, height >= 1, rgba.count == width * height * 4 else {
            throw DigitsSVMError.image("an RGBA crop of \(width)x\(height) pixels needs \(max(width, 0) * max(height, 0) * 4) bytes, "
                + "not \(rgba.count); give 4 bytes (R, G, B, A) per pixel, row 0 at the top")
        }
        let n = width * height
        func luma(_ k: Int) -> Int {
            (19595 * Int(rgba[4 * k]) + 38470 * Int(rgba[4 * k + 1]) + 7471 * Int(rgba[4 * k + 2]) + 32768) >> 16
        }
        let alpha = (0..<n).map { rgba[4 * $0 + 3] }
        if ink == .alpha { return alpha }
        if ink == .auto, alpha.contains(where: { $0 < 255 }) {
            let opaque = (0..<n).filter { alpha[$0] >= 128 }
            if 2 * opaque.count <= n { return alpha }
            let sorted = opaque.map(luma).sorted()
            let mid = sorted.count / 2
            let median2 = sorted.count % 2 == 1 ? 2 * sorted[mid] : sorted[mid - 1] + sorted[mid]  // twice the median
            guard median2 >= 256 else { return alpha }
            return (0..<n).map { UInt8((Int(alpha[$0]) * (255 - luma($0)) + 127) / 255) }
        }
        if ink == .darkness { return (0..<n).map { UInt8(255 - luma($0)) } }
        // Opaque: ink is how far a pixel is from the background, the lower median of the border.
        let lumas = (0..<n).map(luma)
        var border: [Int]
        if width <= 2 || height <= 2 {
            border = lumas
        } else {
            border = Array(lumas[0..<width]) + Array(lumas[(n - width)..<n])
            for y in 1..<(height - 1) { border += [lumas[y * width], lumas[y * width + width - 1]] }
        }
        let background = border.sorted()[(border.count - 1) / 2]
        guard 2 * border.filter({ abs($0 - background) <= InkBuffer.plainTolerance }).count >= border.count else {
            throw DigitsSVMError.image("the image has no plain background (its border varies, as in a photo or noise), "
                + "so its ink cannot be told from the paper; give a drawing on a plain background")
        }
        return lumas.map { l in
            background >= 128 ? UInt8(max(background - l, 0) * 255 / background)  // light paper, dark ink
                : UInt8(max(l - background, 0) * 255 / (255 - background))  // dark mode: light ink
        }
    }
}
