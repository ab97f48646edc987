// Strokes -> the app's canvas crop, as `digits_svm.render_strokes` draws it: round-capped
// segments with a 1-pixel antialiasing ramp, composited source-over, cropped to the touch
// box grown by the inset. Same operations in the same order as the Python, so the same bits.

import Foundation

/// An 8-bit ink buffer: one level per pixel, 0 (no ink) ... 255 (full ink), row-major,
/// row 0 at the top. A rendered crop's levels are its alpha.
public struct InkBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var levels: [UInt8]

    /// - Precondition: `levels.count == width * height`, both sides at least 1.
    public init(width: Int, height: Int, levels: [UInt8]) {
        precondition(width >= 1 && height >= 1 && levels.count == width * height,
                     "InkBuffer: levels.count must be width * height, both at least 1")
        self.width = width
        self.height = height
        self.levels = levels
    }

    public subscript(x: Int, y: Int) -> UInt8 { levels[y * width + x] }
}

/// Rendered crops larger than this many pixels are refused (Python's `MAX_CROP_PIXELS`).
public let maxCropPixels = 16_000_000
/// The app's margin around the touch bounding box, in points.
public let defaultInset = 5.0

/// Render a drawing as the app does and return its crop's alpha (`digits_svm.render_strokes`).
///
/// Segment `p[i] -> p[i+1]` is drawn with the width of `p[i+1]` (or `lineWidth`); a
/// one-point stroke is a dot. The crop is `(minX - inset, minY - inset, maxX - minX + 2 inset,
/// maxY - minY + 2 inset)` of the integer-truncated touch coordinates, times the scale,
/// rounded outward to pixels. Coverage `clip(r + 0.5 - d, 0, 1)` for a pixel centre at
/// distance `d` from the segment (`r`: half the width in pixels); segments composite
/// source-over; alpha is `floor((1 - prod(1 - coverage)) * 255 + 0.5)`.
///
/// - Parameters:
///   - lineWidth, scale: override the drawing's own values.
/// - Throws: `DigitsSVMError.emptyDrawing` (no points), `.strokes` (a crop over 16 million
///   pixels, a bad override).
public func renderStrokes(_ drawing: Drawing, lineWidth: Double? = nil, scale: Double? = nil,
                          inset: Double = defaultInset) throws -> InkBuffer {
    let lw = try lineWidth.map { try positive($0, "line_width", Drawing.maxLineWidth) } ?? drawing.lineWidth
    let sc = try scale.map { try positive($0, "scale", Drawing.maxScale) } ?? drawing.scale
    guard inset.isFinite else { throw DigitsSVMError.strokes("inset must be finite, not \(pythonFloatRepr(inset))") }
    guard drawing.pointCount > 0 else { throw DigitsSVMError.emptyDrawing("the drawing has no points; draw a digit first") }
    var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
    for stroke in drawing.strokes {
        for p in stroke {
            minX = min(minX, p.x); minY = min(minY, p.y); maxX = max(maxX, p.x); maxY = max(maxY, p.y)
        }
    }
    let x0 = Int((((minX.rounded(.towardZero)) - inset) * sc).rounded(.down))
    let y0 = Int((((minY.rounded(.towardZero)) - inset) * sc).rounded(.down))
    let width = Int((((maxX.rounded(.towardZero)) + inset) * sc).rounded(.up)) - x0
    let height = Int((((maxY.rounded(.towardZero)) + inset) * sc).rounded(.up)) - y0
    guard width >= 1, height >= 1 else {
        throw DigitsSVMError.strokes("inset \(formatG(inset)) leaves an empty crop; use a positive inset")
    }
    guard width * height <= maxCropPixels else {
        throw DigitsSVMError.strokes("the drawing spans \(width)x\(height) pixels at scale \(formatG(sc)), "
            + "more than \(formatThousands(maxCropPixels)); coordinates are in points")
    }
    var clear = [Double](repeating: 1.0, count: width * height)  // product of (1 - coverage)
    clear.withUnsafeMutableBufferPointer { buf in
        let ox = Double(x0), oy = Double(y0)
        for stroke in drawing.strokes {
            func at(_ k: Int) -> (Double, Double, Double) {
                let p = stroke[k]
                return (p.x * sc - ox, p.y * sc - oy, (p.width ?? lw) * sc / 2)
            }
            if stroke.count == 1 {
                let (ax, ay, r) = at(0)
                paintSegment(buf, width, height, ax, ay, ax, ay, r)
                continue
            }
            var (ax, ay, _) = at(0)
            for j in 1..<stroke.count {
                let (bx, by, r) = at(j)
                paintSegment(buf, width, height, ax, ay, bx, by, r)
                (ax, ay) = (bx, by)
            }
        }
    }
    var levels = [UInt8](repeating: 0, count: width * height)
    levels.withUnsafeMutableBufferPointer { out in
        clear.withUnsafeBufferPointer { c in
            for k in 0..<c.count { out[k] = UInt8(((1.0 - c[k]) * 255 + 0.5).rounded(.down)) }
        }
    }
    return InkBuffer(width: width, height: height, levels: levels)
}

/// Composite one round-capped segment of half-width `r` (pixels) into `clear`.
@inline(__always)
private func paintSegment(_ clear: UnsafeMutableBufferPointer<Double>, _ w: Int, _ h: Int,
                          _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ r: Double) {
    let c0 = max(Int((min(ax, bx) - r - 1).rounded(.down)), 0)
    let c1 = min(Int((max(ax, bx) + r + 1).rounded(.up)), w)
    let r0 = max(Int((min(ay, by) - r - 1).rounded(.down)), 0)
    let r1 = min(Int((max(ay, by) + r + 1).rounded(.up)), h)
    guard c0 < c1, r0 < r1 else { return }
    let dx = bx - ax, dy = by - ay
    let length2 = dx * dx + dy * dy
    let reach = r + 0.5
    for row in r0..<r1 {
        let cy = (Double(row) + 0.5) - ay
        let base = row * w
        for col in c0..<c1 {
            let cx = (Double(col) + 0.5) - ax
            var ex = cx, ey = cy
            if length2 > 0 {
                let t = min(max((cx * dx + cy * dy) / length2, 0.0), 1.0)
                ex = cx - t * dx
                ey = cy - t * dy
            }
            let coverage = min(max(reach - hypot(ex, ey), 0.0), 1.0)
            clear[base + col] *= 1.0 - coverage
        }
    }
}
