// Strokes -> the app's canvas crop, as `digits_svm.render_strokes` draws it: round-capped
// segments with a 1-pixel antialiasing ramp, composited source-over, cropped to the touch
// box grown by the inset. Same operations in the same order as the Python, so the same bits.

import Foundation

extension Drawing {
    /// Rendered crops larger than this many pixels are refused (Python's `MAX_CROP_PIXELS`).
    public static let maxCropPixels = 16_000_000
    /// Drawings whose segments may visit more pixels than this are refused before painting
    /// (Python's `MAX_PAINT_PIXELS`; see `paintCost`).
    public static let maxPaintPixels = 16_000_000
    /// The app's margin around the touch bounding box, in points.
    public static let defaultInset = 5.0

    /// The drawing rendered as the app draws it: its crop's alpha (`digits_svm.render_strokes`).
    ///
    /// Segment `p[i] -> p[i+1]` is drawn with the width of `p[i+1]` (or `lineWidth`); a
    /// one-point stroke is a dot. The crop is `(minX - inset, minY - inset, maxX - minX + 2 inset,
    /// maxY - minY + 2 inset)` of the integer-truncated touch coordinates, times the scale,
    /// rounded outward to pixels. Coverage `clip(r + 0.5 - d, 0, 1)` for a pixel centre at
    /// distance `d` from the segment (`r`: half the width in pixels); segments composite
    /// source-over; alpha is `floor((1 - prod(1 - coverage)) * 255 + 0.5)`. The distance is
    /// `sqrt(ex * ex + ey * ey)`, as in the Python: IEEE operations only, the same bits everywhere.
    ///
    /// - Parameters:
    ///   - lineWidth, scale: override the drawing's own values.
    /// - Throws: `DigitsSVMError.emptyDrawing` (no points), `.strokes` (more than `maxPoints`
    ///   points, a crop over `maxCropPixels` pixels, more than `maxPaintPixels` pixels to paint,
    ///   a bad override), all before anything is painted.
    public func rendered(lineWidth: Double? = nil, scale: Double? = nil,
                         inset: Double = Drawing.defaultInset) throws -> InkBuffer {
        let lw = try lineWidth.map { try Drawing.positive($0, "line_width", Drawing.maxLineWidth) } ?? self.lineWidth
        let sc = try scale.map { try Drawing.positive($0, "scale", Drawing.maxScale) } ?? self.scale
        guard inset.isFinite else { throw DigitsSVMError.strokes("inset must be finite, not \(formatFloat(inset))") }
        try Drawing.checkPointCount(pointCount)
        guard pointCount > 0 else { throw DigitsSVMError.emptyDrawing("the drawing has no points; draw a digit first") }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for stroke in strokes {
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
        guard width * height <= Drawing.maxCropPixels else {
            throw DigitsSVMError.strokes("the drawing spans \(width)x\(height) pixels at scale \(formatG(sc)), "
                + "more than \(formatThousands(Drawing.maxCropPixels)); coordinates are in points")
        }
        // the segments in pixels: p[i] -> p[i+1] with the half-width of p[i+1]; a one-point stroke is a dot
        var segments: [Segment] = []
        segments.reserveCapacity(pointCount)
        let ox = Double(x0), oy = Double(y0)
        for stroke in strokes {
            func at(_ k: Int) -> (Double, Double, Double) {
                let p = stroke[k]
                return (p.x * sc - ox, p.y * sc - oy, (p.width ?? lw) * sc / 2)
            }
            var (ax, ay, r) = at(0)
            if stroke.count == 1 { segments.append(Segment(ax: ax, ay: ay, bx: ax, by: ay, r: r, width: width, height: height)) }
            for j in stride(from: 1, to: stroke.count, by: 1) {
                let (bx, by, rb) = at(j)
                r = rb
                segments.append(Segment(ax: ax, ay: ay, bx: bx, by: by, r: r, width: width, height: height))
                (ax, ay) = (bx, by)
            }
        }
        let cost = paintCost(segments)
        guard cost <= Drawing.maxPaintPixels else {
            throw DigitsSVMError.strokes("the drawing's \(formatThousands(segments.count)) segments reach "
                + "\(formatThousands(cost)) pixels at scale \(formatG(sc)), more than \(formatThousands(Drawing.maxPaintPixels)); "
                + "draw one digit with fewer points, a thinner line or a smaller scale")
        }
        // columns first..<end of each row that some segment's box covers; pixels outside them
        // stay clear (alpha 0) and are never touched
        var first = [Int](repeating: width, count: height), end = [Int](repeating: 0, count: height)
        // per segment and row: c0, c1, fill0, fill1 (see Segment.columns)
        let columns = [Int](unsafeUninitializedCapacity: segments.reduce(0) { $0 + 4 * ($1.r1 - $1.r0) }) { buf, n in
            n = 0
            for s in segments where s.c0 < s.c1 {
                for row in s.r0..<s.r1 {
                    let (c0, c1, fill0, fill1) = s.columns(row)
                    (buf[n], buf[n + 1], buf[n + 2], buf[n + 3]) = (c0, c1, fill0, fill1)
                    n += 4
                    if c0 < c1 {
                        first[row] = min(first[row], c0)
                        end[row] = max(end[row], c1)
                    }
                }
            }
        }
        // product of (1 - coverage) over the segments, 1 where nothing was painted
        var clear = [Double](unsafeUninitializedCapacity: width * height) { buf, n in
            for row in 0..<height where first[row] < end[row] {
                (buf.baseAddress! + row * width + first[row]).initialize(repeating: 1.0, count: end[row] - first[row])
            }
            n = width * height  // the rest is never read
        }
        clear.withUnsafeMutableBufferPointer { buf in
            columns.withUnsafeBufferPointer { columns in
                var at = 0
                for s in segments where s.c0 < s.c1 {
                    paint(s, buf, width, columns.baseAddress! + at)
                    at += 4 * (s.r1 - s.r0)
                }
            }
        }
        var levels = [UInt8](repeating: 0, count: width * height)
        var peak: UInt8 = 0
        levels.withUnsafeMutableBufferPointer { out in
            clear.withUnsafeBufferPointer { c in
                for row in 0..<height where first[row] < end[row] {
                    let o = out.baseAddress! + row * width, p = c.baseAddress! + row * width
                    @inline(__always) func convert(_ k: Int) {
                        // floor(v) for v = (1 - clear) 255 + 0.5 in 0.5...255.5: adding 1.5 * 2^52
                        // rounds v to the nearest integer r (its low bits), one less if r > v
                        let v = (1.0 - p[k]) * 255 + 0.5
                        let m = v + roundingMagic
                        let r = Int64(bitPattern: m.bitPattern) &- roundingMagicBits
                        let level = UInt8(truncatingIfNeeded: r &- (m - roundingMagic > v ? 1 : 0))
                        o[k] = level
                        peak = max(peak, level)
                    }
                    // 4 pixels at a time where they are all clear (level 0, as the buffer is) or all
                    // ink (255: what the formula gives for 0)
                    var k = first[row]
                    let stop = end[row]
                    while k + 4 <= stop {
                        let q = UnsafeRawPointer(p + k)  // the bits: 1.0 is oneBits, and clear is never -0
                        let w0 = q.loadUnaligned(as: UInt64.self), w1 = q.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        let w2 = q.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                        let w3 = q.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                        let any = w0 | w1 | w2 | w3
                        if any == oneBits, w0 & w1 & w2 & w3 == oneBits {
                        } else if any == 0 {
                            UnsafeMutableRawPointer(o + k).storeBytes(of: UInt32.max, as: UInt32.self)
                            peak = 255
                        } else {
                            convert(k); convert(k + 1); convert(k + 2); convert(k + 3)
                        }
                        k += 4
                    }
                    while k < stop { convert(k); k += 1 }
                }
            }
        }
        var crop = InkBuffer(width: width, height: height, levels: levels)
        crop.spans = [Int](unsafeUninitializedCapacity: 2 * height) { spans, n in
            first.withUnsafeBufferPointer { first in
                end.withUnsafeBufferPointer { end in
                    for row in 0..<height {
                        spans[2 * row] = first[row]
                        spans[2 * row + 1] = end[row]
                    }
                }
            }
            n = 2 * height
        }
        crop.peak = peak
        return crop
    }
}

/// How many pixels painting `segments` may visit, at most (`digits_svm.strokes._paint_cost`):
/// per segment, the rows of its box times the columns it can reach on a row,
/// `2 reach |dx| / |dy| + 2 reach + 3` (`reach = r + 1.5`), never more than the box is wide.
/// The same operations in the same order as the Python, so the same count.
private func paintCost(_ segments: [Segment]) -> Int {
    var total = 0
    for s in segments where s.c0 < s.c1 && s.r0 < s.r1 {
        let dx = abs(s.bx - s.ax), dy = abs(s.by - s.ay)
        let reach2 = 2 * (s.r + 1.5)
        let cols = Double(s.c1 - s.c0)
        let run = dy > 0 ? min((reach2 * dx / dy + reach2 + 3).rounded(.up), cols) : cols
        total += (s.r1 - s.r0) * Int(run)
    }
    return total
}

/// One round-capped segment of half-width `r`, in crop pixels, with the box of pixels it can reach.
private struct Segment {
    let ax, ay, bx, by, r: Double
    let c0, c1, r0, r1: Int
    let dx, dy, length2, reach, band, core: Double
    // per row, the strip's and the core's centre moves by xPerRow; the ends of the segment
    // (cx dx + cy dy = 0 and = length2) cross the row at -cy yPerX and l2PerX - cy yPerX
    let xPerRow, bandHalf, coreHalf, yPerX, l2PerX: Double

    init(ax: Double, ay: Double, bx: Double, by: Double, r: Double, width: Int, height: Int) {
        (self.ax, self.ay, self.bx, self.by, self.r) = (ax, ay, bx, by, r)
        c0 = max(Int((min(ax, bx) - r - 1).rounded(.down)), 0)
        c1 = min(Int((max(ax, bx) + r + 1).rounded(.up)), width)
        r0 = max(Int((min(ay, by) - r - 1).rounded(.down)), 0)
        r1 = max(min(Int((max(ay, by) + r + 1).rounded(.up)), height), r0)
        dx = bx - ax
        dy = by - ay
        length2 = dx * dx + dy * dy
        reach = r + 0.5
        let length = length2.squareRoot()
        band = (reach + 1e-3) * length
        core = (reach - 1 - 1e-3) * length
        xPerRow = dy != 0 ? dx / dy : 0
        bandHalf = dy != 0 ? band / abs(dy) : 0
        coreHalf = dy != 0 ? core / abs(dy) : 0
        yPerX = dx != 0 ? dy / dx : 0
        l2PerX = dx != 0 ? length2 / dx : 0
    }

    /// The columns `c0..<c1` of `row` that can be reached, and within them `fill0..<fill1`,
    /// surely inside (coverage 1): from the strip `|cx dy - cy dx| <= band` around the line,
    /// and the core `|cx dy - cy dx| < core`, `0 <= cx dx + cy dy <= length2`, rounded to
    /// whole columns (outward for the strip, inward for the core). Their 0.001-pixel margins
    /// dwarf the rounding of these few operations, so no pixel is misjudged.
    func columns(_ row: Int) -> (Int, Int, Int, Int) {
        guard length2 > 0 else { return (c0, c1, 0, 0) }
        let cy = (Double(row) + 0.5) - ay
        var lo = -Double.infinity, hi = Double.infinity, inLo = -Double.infinity, inHi = Double.infinity
        if dy != 0 {
            let centre = cy * xPerRow
            (lo, hi) = (centre - bandHalf, centre + bandHalf)
            (inLo, inHi) = core > 0 ? (centre - coreHalf, centre + coreHalf) : (1, 0)
        } else if abs(cy * dx) > band {
            return (0, 0, 0, 0)
        } else if !(core > 0 && abs(cy * dx) < core) {
            (inLo, inHi) = (1, 0)
        }
        if dx != 0 {
            let p = -cy * yPerX, q = l2PerX - cy * yPerX
            inLo = max(inLo, min(p, q))
            inHi = min(inHi, max(p, q))
        } else if !(cy * dy >= 0 && cy * dy <= length2) {
            (inLo, inHi) = (1, 0)
        }
        let a = max(c0, floorInt(max(lo + ax - 0.5, -1e9)))
        let b = min(c1, ceilInt(min(hi + ax - 0.5, 1e9)) + 1)
        guard inLo < inHi else { return (a, b, 0, 0) }
        let fill0 = max(a, ceilInt(max(inLo + ax - 0.5, -1e9)))
        let fill1 = min(b, floorInt(min(inHi + ax - 0.5, 1e9)) + 1)  // exclusive
        return (a, b, fill0, fill1)
    }
}

private let oneBits = (1.0).bitPattern
private let roundingMagic = 6755399441055744.0  // 1.5 * 2^52
private let roundingMagicBits = Int64(bitPattern: roundingMagic.bitPattern)

/// `floor` and `ceil` of a value within +-1e9, to an Int, without a libm call or a range
/// check: adding 1.5 * 2^52 rounds x to the nearest integer r (the low bits), exactly
/// (|x| < 2^51), and r is one off where it passed x.
@inline(__always) private func floorInt(_ x: Double) -> Int {
    let m = x + roundingMagic
    let r = Int(truncatingIfNeeded: Int64(bitPattern: m.bitPattern) &- roundingMagicBits)
    return r &- (m - roundingMagic > x ? 1 : 0)
}

@inline(__always) private func ceilInt(_ x: Double) -> Int {
    let m = x + roundingMagic
    let r = Int(truncatingIfNeeded: Int64(bitPattern: m.bitPattern) &- roundingMagicBits)
    return r &+ (m - roundingMagic < x ? 1 : 0)
}

/// Composite one segment into `clear` (Python's `_paint_segment`, pixel by pixel, same operations).
///
/// Only the 1-pixel ramp needs the exact distance: farther out the coverage is 0 (the pixel
/// is left as it is), well inside it is 1 (the pixel becomes 0), exactly as the clipped
/// formula gives. Per row, the columns farther than `reach + 0.001` from the segment's line
/// are skipped, and those nearer than `reach - 1.001` beside the segment are set to 0 (see
/// `Segment.columns`); every other pixel takes Python's operations.
@inline(__always)
private func paint(_ s: Segment, _ clear: UnsafeMutableBufferPointer<Double>, _ w: Int, _ columns: UnsafePointer<Int>) {
    let (ax, ay, dx, dy, length2, reach) = (s.ax, s.ay, s.dx, s.dy, s.length2, s.reach)
    for row in s.r0..<s.r1 {
        let cy = (Double(row) + 0.5) - ay
        let at = columns + 4 * (row - s.r0)
        let pixels = clear.baseAddress! + row * w
        let (c0, c1, fill0, fill1) = (at[0], at[1], at[2], at[3])
        let core = fill0 < fill1
        if core { (pixels + fill0).update(repeating: 0, count: fill1 - fill0) }
        // the same operations for every other pixel, whatever its coverage: coverage 0 leaves
        // the pixel as it is, 1 makes it 0, as in the Python; a pixel already 0 stays 0
        // (0 times 1 - coverage, which is 0 ... 1). Four pixels at a time, lane by lane the
        // same IEEE operations (min and max as Swift's: min(x, y) = y < x ? y : x,
        // max(x, y) = y >= x ? y : x), then two, then one.
        @inline(__always) func composite(_ from: Int, _ to: Int) {
            var col = from
            let raw = UnsafeMutableRawPointer(pixels)
            while col + 4 <= to {
                lanes(SIMD4<Double>.self, col, raw)
                col += 4
            }
            if col + 2 <= to {
                lanes(SIMD2<Double>.self, col, raw)
                col += 2
            }
            if col < to {
                let cx = (Double(col) + 0.5) - ax
                var ex = cx, ey = cy
                if length2 > 0 {
                    let t = min(max((cx * dx + cy * dy) / length2, 0.0), 1.0)
                    ex = cx - t * dx
                    ey = cy - t * dy
                }
                let coverage = min(max(reach - (ex * ex + ey * ey).squareRoot(), 0.0), 1.0)
                pixels[col] *= 1.0 - coverage
            }
        }
        @inline(__always) func lanes<V: SIMD>(_: V.Type, _ col: Int, _ raw: UnsafeMutableRawPointer)
            where V.Scalar == Double {
            var cx = V()  // the lanes' columns: integers, exact in doubles whichever way they are made
            for i in 0..<V.scalarCount { cx[i] = Double(i) }
            cx = ((cx + Double(col)) + 0.5) - V(repeating: ax)
            let cyv = V(repeating: cy)
            var ex = cx, ey = cyv
            if length2 > 0 {
                var t = (cx * dx + cyv * dy) / length2
                t = t.replacing(with: 0, where: V(repeating: 0) .>= t)  // max(t, 0)
                t = t.replacing(with: 1, where: V(repeating: 1) .< t)  // min(t, 1)
                ex = cx - t * dx
                ey = cyv - t * dy
            }
            var coverage = V(repeating: reach) - (ex * ex + ey * ey).squareRoot()
            coverage = coverage.replacing(with: 0, where: V(repeating: 0) .>= coverage)
            coverage = coverage.replacing(with: 1, where: V(repeating: 1) .< coverage)
            let at = col * MemoryLayout<Double>.stride
            let old = raw.loadUnaligned(fromByteOffset: at, as: V.self)
            raw.storeBytes(of: old * (1.0 - coverage), toByteOffset: at, as: V.self)
        }
        if core {
            composite(c0, fill0)
            composite(fill1, c1)
        } else {
            composite(c0, c1)
        }
    }
}
