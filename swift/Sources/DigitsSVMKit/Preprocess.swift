// Ink buffer -> the model's input, the 64 values of an 8x8 grid (row 0 at the top), by
// the two methods of `digits_svm.preprocess` (docs/preprocessing.md states them step by step).

import Foundation

/// The preprocessing methods, as named in the `.mlmodel`'s `preprocessing.method` metadata.
public enum PreprocessingMethod: String, CaseIterable, Sendable {
    /// The training data's geometry first (upright, full height, centred, even pen): the default.
    case normalized
    /// Exactly what the seed app computes: 8 x 8 tiles following the crop, `Int(mean alpha * 16)`.
    case seed
}

/// Parameters of `method="normalized"` (the `.mlmodel` records them as `preprocessing.*`).
public struct NormalizedParameters: Equatable, Sendable {
    /// Side of the normalised bitmap (at most 64 here; the library's and the model's is 32).
    public var box = 32
    public var block = 4
    public var maxSlant = 1.0
    public var minWidth = 8.0
    public var maxWidth = 18.0
    public var coverage = 0.5
    public var penWidth = 4.5
    public var maxDilation = 3

    public init() {}
}

extension InkBuffer {
    /// The model's input for this buffer: 64 values 0...16, index `row * 8 + col`, row 0 at the top.
    ///
    /// - Throws: `DigitsSVMError.emptyDrawing` when no pixel has ink.
    public func grid(method: PreprocessingMethod = .normalized,
                     parameters: NormalizedParameters = NormalizedParameters()) throws -> [Double] {
        guard peak.map({ $0 != 0 }) ?? levels.contains(where: { $0 != 0 }) else {
            throw DigitsSVMError.emptyDrawing(
                "the drawing has no ink (every pixel is transparent or plain background); draw a digit first")
        }
        switch method {
        case .seed: return seedGrid(self)
        case .normalized: return normalizedGrid(self, parameters)
        }
    }
}

extension Drawing {
    /// The model's input for this drawing: rendered (`rendered()`), then preprocessed; what the
    /// app feeds the model.
    public func grid(method: PreprocessingMethod = .normalized) throws -> [Double] {
        try rendered().grid(method: method)
    }
}

/// `method="seed"`: tile `(r, c)` covers columns `c W / 8 ..< ceil((c + 1) W / 8)` and
/// rows likewise; its value is `16 * S / (255 * N)` in integers (ink sum `S` over `N` pixels).
func seedGrid(_ ink: InkBuffer) -> [Double] {
    let (w, h) = (ink.width, ink.height)
    var grid = [Double](repeating: 0, count: 64)
    ink.levels.withUnsafeBufferPointer { levels in
        var rowSums = [Int](repeating: 0, count: 8 * w)  // per tile row, the column sums
        rowSums.withUnsafeMutableBufferPointer { rowSums in
            for r in 0..<8 {
                let y0 = r * h / 8, y1 = ((r + 1) * h + 7) / 8
                let sums = rowSums.baseAddress! + r * w
                for y in y0..<y1 {
                    let row = levels.baseAddress! + y * w, (from, to) = ink.span(y)
                    for x in from..<to { sums[x] &+= Int(row[x]) }
                }
                for c in 0..<8 {
                    let x0 = c * w / 8, x1 = ((c + 1) * w + 7) / 8
                    var sum = 0
                    for x in x0..<x1 { sum &+= sums[x] }
                    grid[r * 8 + c] = Double((16 * sum) / (255 * (y1 - y0) * (x1 - x0)))
                }
            }
        }
    }
    return grid
}

/// `method="normalized"`, step by step as `digits_svm.preprocessing.normalized_grid`.
///
/// - Precondition: some level is not 0 (`InkBuffer.grid` checks).
func normalizedGrid(_ ink: InkBuffer, _ p: NormalizedParameters = NormalizedParameters()) -> [Double] {
    let (W, H, box, block) = (ink.width, ink.height, p.box, p.block)
    precondition(box <= 64, "NormalizedParameters.box above 64 is not supported")
    var top = Int.max, bottom = -1, lft = Int.max
    // per row y of the buffer: its first and last ink pixel (-1: none), ink count, sum of
    // its ink columns, where its prefix counts start (below); then the ink box's shifts
    let work = UnsafeMutablePointer<Int>.allocate(capacity: 6 * H)
    defer { work.deallocate() }
    let rowFirst = work, rowLast = work + H, rowCount = work + 2 * H, rowSum = work + 3 * H
    let rowStart = work + 4 * H, shift = work + 5 * H
    var byCol: [Int32] = []
    ink.levels.withUnsafeBufferPointer { levels in
        let base = levels.baseAddress!
        let raw = UnsafeRawPointer(base)
        var peak: UInt8 = 0
        if let known = ink.peak {  // the renderer's
            peak = known
        } else {
            var wide = SIMD16<UInt8>()  // the strongest level, 16 pixels at a time
            for y in 0..<H {
                var (k, end) = ink.span(y)
                (k, end) = (k + y * W, end + y * W)
                while k + 16 <= end {
                    wide = pointwiseMax(wide, raw.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self))
                    k += 16
                }
                while k < end { peak = max(peak, base[k]); k += 1 }
            }
            peak = max(peak, wide.max())
        }
        precondition(peak > 0, "normalizedGrid needs some ink")
        // 1. mask (level >= threshold), 8 pixels at a time: chunk k of a row is its columns
        //    8k ..< 8k + 8, its mask a byte (bit i: column 8k + i is ink). For a level x and
        //    the threshold t (1 ... 128), x >= t exactly when x >= 128 or (x & 127) + 128 - t
        //    reaches 128: the top bit of ((x & 127) + 128 - t) | x, for 8 levels at once (no
        //    carry crosses a byte: 127 + 127 < 256); a multiplication gathers the 8 top bits.
        let threshold = (Int(peak) + 1) / 2
        let addT = UInt64(128 - threshold) &* 0x0101_0101_0101_0101
        @inline(__always) func mask(_ w: UInt64) -> Int {
            let top = (((w & 0x7F7F_7F7F_7F7F_7F7F) &+ addT) | w) & 0x8080_8080_8080_8080
            return Int(truncatingIfNeeded: ((top >> 7) &* 0x0102_0408_1020_4080) >> 56)
        }
        // Row y's prefix counts, over its chunks from the first ink pixel's (kf) to the last's:
        // byCol[rowStart[y] + i] = ink pixels in columns 8 kf ..< 8 kf + i
        var capacity = 0
        for y in 0..<H {
            let (from, to) = ink.span(y)
            if from < to { capacity += 8 * (((to + 7) >> 3) - (from >> 3)) + 1 }
        }
        let chunks = UnsafeMutablePointer<UInt8>.allocate(capacity: (W + 7) / 8)  // one row's masks
        defer { chunks.deallocate() }
        byCol = [Int32](unsafeUninitializedCapacity: capacity) { prefix, initialized in
            var n = 0
            prefixCounts.withUnsafeBufferPointer { table in
                positionSums.withUnsafeBufferPointer { sums in
                    let table = table.baseAddress!, sums = sums.baseAddress!
                    for y in 0..<H {
                        rowFirst[y] = -1
                        rowLast[y] = -1
                        rowCount[y] = 0
                        rowSum[y] = 0
                        let (from, to) = ink.span(y)
                        guard from < to else { continue }
                        let k0 = from >> 3, k1 = (to + 7) >> 3, full = min(k1, W >> 3)
                        var kf = -1, kl = -1
                        var src = raw + (y * W + 8 * k0), m = chunks
                        var k = k0
                        while k < full {
                            let w = src.loadUnaligned(as: UInt64.self)
                            let bits = w == 0 ? 0 : mask(w)
                            m.pointee = UInt8(truncatingIfNeeded: bits)
                            if bits != 0 {
                                if kf < 0 { kf = k }
                                kl = k
                            }
                            src += 8
                            m += 1
                            k &+= 1
                        }
                        if k < k1 {  // the row's last few pixels
                            var w: UInt64 = 0
                            for x in (8 * k)..<W { w |= UInt64(base[y * W + x]) << UInt64(8 * (x - 8 * k)) }
                            let bits = w == 0 ? 0 : mask(w)
                            m.pointee = UInt8(truncatingIfNeeded: bits)
                            if bits != 0 {
                                if kf < 0 { kf = k }
                                kl = k
                            }
                        }
                        guard kf >= 0 else { continue }
                        let a = 8 * kf + chunks[kf - k0].trailingZeroBitCount
                        rowFirst[y] = a
                        rowLast[y] = 8 * kl + 7 - chunks[kl - k0].leadingZeroBitCount
                        rowStart[y] = n
                        prefix[n] = 0
                        var run: Int32 = 0, sx = 0, col = 8 * kf
                        var dst = UnsafeMutableRawPointer(prefix.baseAddress! + n + 1)
                        m = chunks + (kf - k0)
                        let stop = chunks + (kl - k0 + 1)
                        while m < stop {
                            let bits = Int(m.pointee), counts = table[bits]
                            dst.storeBytes(of: counts &+ SIMD8(repeating: run), as: SIMD8<Int32>.self)
                            let c = counts[7]
                            run &+= c
                            sx &+= Int(c) &* col &+ Int(sums[bits])
                            dst += 32
                            m += 1
                            col &+= 8
                        }
                        n += 8 * (kl - kf + 1) + 1
                        rowCount[y] = Int(run)
                        rowSum[y] = sx
                        top = min(top, y)
                        bottom = y
                        lft = min(lft, a)
                    }
                }
            }
            initialized = n
        }
    }
    // from here on, rows are the ink box's (y = 0 ..< h is buffer row top + y), columns from lft
    let h = bottom - top + 1
    let first = rowFirst + top, last = rowLast + top, count = rowCount + top
    // 2. slant
    slantShift(count: count, sum: rowSum + top, from: lft, h, p.maxSlant, into: shift)
    // 3. box
    var left = Int.max, right = Int.min
    for y in 0..<h where count[y] > 0 {
        left = min(left, first[y] - shift[y])
        right = max(right, last[y] - shift[y])
    }
    let width = right - left + 1
    let ky = Double(box) / Double(h)
    let kx = min(max(ky, p.minWidth / Double(width)), p.maxWidth / Double(width))
    let cols = footprints(width, kx, box), rows = footprints(h, ky, box)
    // 4. bitmap: ink under each footprint, from the row prefix sums at shifted columns
    var byRow = [Int](repeating: 0, count: (h + 1) * box)  // byRow[y * box + tx]: rows above y
    let colStarts = cols.map(\.0), colEnds = cols.map(\.1)
    // the footprints are in column order (starts and ends never decrease), so the box columns
    // that can see a row's ink (columns u ..< v) are firstEndAbove[u] ..< firstStartAtLeast[v]
    let firstEndAbove = UnsafeMutablePointer<Int>.allocate(capacity: 2 * (width + 1))
    defer { firstEndAbove.deallocate() }
    let firstStartAtLeast = firstEndAbove + (width + 1)
    do {
        var tx = 0
        for u in 0...width {
            while tx < box, colEnds[tx] <= u { tx += 1 }
            firstEndAbove[u] = tx
        }
        tx = 0
        for v in 0...width {
            while tx < box, colStarts[tx] < v { tx += 1 }
            firstStartAtLeast[v] = tx
        }
    }
    byCol.withUnsafeBufferPointer { prefix in
        byRow.withUnsafeMutableBufferPointer { byRow in
            colStarts.withUnsafeBufferPointer { starts in
                colEnds.withUnsafeBufferPointer { ends in
                    for y in 0..<h {
                        let above = byRow.baseAddress! + y * box
                        (above + box).update(from: above, count: box)  // nothing below the other columns
                        guard count[y] > 0 else { continue }
                        // moved column c is buffer column c + left + shift(y) + lft, prefix index
                        // that minus 8 kf, clipped to the row's ink (first ... last + 1: there the
                        // prefix is 0 and the count); a footprint that meets the ink (it starts
                        // before last + 1 and ends after first) needs only its other side clipped
                        let origin = (first[y] >> 3) << 3
                        let shifted = left + shift[y] - origin
                        let low = first[y] - origin, high = last[y] + 1 - origin
                        let row = prefix.baseAddress! + rowStart[y + top]
                        let u = first[y] - shift[y] - left, v = last[y] - shift[y] - left + 1
                        for tx in firstEndAbove[u]..<max(firstEndAbove[u], firstStartAtLeast[v]) {
                            let lo = max(starts[tx] &+ shifted, low), hi = min(ends[tx] &+ shifted, high)
                            above[box + tx] = above[tx] &+ Int(row[hi] &- row[lo])
                        }
                    }
                }
            }
        }
    }
    // the bitmap's rows as bits (box pixel x is bit x), with a blank row above and below
    var strict = [UInt64](repeating: 0, count: box + 2), touched = strict
    var nStrict = 0, nTouched = 0
    byRow.withUnsafeBufferPointer { byRow in
        for ty in 0..<box {
            let (c, d) = rows[ty]
            let below = byRow.baseAddress! + d * box, above = byRow.baseAddress! + c * box
            var t: UInt64 = 0, s: UInt64 = 0
            for tx in 0..<box {
                let inked = below[tx] &- above[tx]
                guard inked > 0 else { continue }
                t |= 1 << UInt64(tx)
                let (a, b) = cols[tx]
                if Double(inked) >= p.coverage * Double((d - c) * (b - a)) { s |= 1 << UInt64(tx) }
            }
            touched[ty + 1] = t
            strict[ty + 1] = s
            nTouched += t.nonzeroBitCount
            nStrict += s.nonzeroBitCount
        }
    }
    var bitmap = 2 * nStrict < nTouched ? touched : strict  // strokes thinner than a box pixel: keep them
    // 5. pen
    thicken(rows: &bitmap, box, p.penWidth, p.maxDilation)
    // 6. counts
    var grid = [Double](repeating: 0, count: 64)
    let n = box / block
    for y in 0..<box {
        var r = bitmap[y + 1]
        while r != 0 {
            let x = r.trailingZeroBitCount
            grid[(y / block) * n + x / block] += 1
            r &= r &- 1
        }
    }
    return grid
}

/// Per 8-pixel mask (bit i: pixel i is ink), lane i: the ink pixels among 0 ... i.
private let prefixCounts: [SIMD8<Int32>] = (0..<256).map { m in
    var counts = SIMD8<Int32>(), run: Int32 = 0
    for i in 0..<8 {
        run += Int32(m >> i & 1)
        counts[i] = run
    }
    return counts
}

/// Per 8-pixel mask, the sum of its ink pixels' positions 0 ... 7.
private let positionSums: [UInt8] = (0..<256).map { m in UInt8((0..<8).reduce(0) { $0 + (m >> $1 & 1) * $1 }) }

/// Per-row leftward shift that makes the ink upright (zeros when it cannot tell), into `shift[0 ..< h]`,
/// from each row's ink count and the sum of its ink columns (counted from column `from`).
///
/// The sums are of integers, exact in doubles whatever the order (for ink boxes under
/// 25,000 rows), and are combined by the same few operations as the Python, so both
/// languages get the same slant bit for bit.
func slantShift(count: UnsafePointer<Int>, sum: UnsafePointer<Int>, from: Int, _ h: Int, _ maxSlant: Double,
                into shift: UnsafeMutablePointer<Int>) {
    var n = 0.0, sy = 0.0, syy = 0.0, sx = 0.0, sxy = 0.0
    for y in 0..<h {
        let c = Double(count[y]), fy = Double(y), xsum = Double(sum[y] - count[y] * from)
        n += c
        sy += c * fy
        syy += c * (fy * fy)
        sx += xsum
        sxy += xsum * fy
    }
    let my = sy / n
    let vy = syy - sy * my
    var slant = vy > 0 ? (sxy - sx * my) / vy : 0.0
    if abs(slant) > maxSlant { slant = 0 }
    for y in 0..<h {
        let v = slant * (Double(y) - my) + 0.5
        // floor by the 1.5 * 2^52 rounding (exact below 2^51), else by the library
        if abs(v) < 0x1p51 {
            let m = v + 6755399441055744.0
            let r = Int(truncatingIfNeeded: Int64(bitPattern: m.bitPattern) &- 0x4338_0000_0000_0000)
            shift[y] = r &- (m - 6755399441055744.0 > v ? 1 : 0)
        } else {
            shift[y] = Int(v.rounded(.down))
        }
    }
}

/// First and end source pixel under each box pixel, for `n` source pixels scaled by `k`, centred.
func footprints(_ n: Int, _ k: Double, _ box: Int) -> [(Int, Int)] {
    let offset = (Double(box) - k * Double(n)) / 2
    return (0..<box).map { i in
        let t = Double(i)
        let a = Int(min(max(((t - offset) / k).rounded(.down), 0), Double(n)))
        let b = Int(min(max(((t + 1 - offset) / k).rounded(.up), 0), Double(n)))
        return (a, max(a, b))
    }
}

/// Dilate with a 3x3 square (each adds about 2 pixels of width) towards `penWidth`.
///
/// Each bitmap row is held as the bits of a `UInt64` (box pixels 0 ... 63), so a
/// dilation, the area and the edges take a few word operations per row.
func thicken(_ bitmap: inout [Bool], _ box: Int, _ penWidth: Double, _ maxDilation: Int) {
    precondition(box <= 64, "NormalizedParameters.box above 64 is not supported")
    var rows = [UInt64](repeating: 0, count: box + 2)  // a blank row above and below
    for y in 0..<box {
        for x in 0..<box where bitmap[y * box + x] { rows[y + 1] |= 1 << UInt64(x) }
    }
    thicken(rows: &rows, box, penWidth, maxDilation)
    for y in 0..<box {
        for x in 0..<box { bitmap[y * box + x] = rows[y + 1] >> UInt64(x) & 1 != 0 }
    }
}

/// `thicken` on the bitmap's rows as bits (`rows[y + 1]` is row y; rows 0 and box + 1 blank).
func thicken(rows: inout [UInt64], _ box: Int, _ penWidth: Double, _ maxDilation: Int) {
    // stroke width 2 * area / perimeter
    let area = rows.reduce(0) { $0 + $1.nonzeroBitCount }, edges = perimeter(rows, box)
    let strokeWidth = area == 0 ? 0.0 : 2.0 * Double(area) / Double(edges)
    let times = min(maxDilation, max(0, Int(((penWidth - 1 - strokeWidth) / 2).rounded(.up))))
    guard times > 0 else { return }
    let mask: UInt64 = box == 64 ? .max : (1 << UInt64(box)) - 1
    var wide = rows
    for _ in 0..<times {
        for y in 0..<(box + 2) { wide[y] = (rows[y] | rows[y] << 1 | rows[y] >> 1) & mask }
        for y in 1...box { rows[y] = wide[y - 1] | wide[y] | wide[y + 1] }
    }
}

/// Ink/blank edges between 4-neighbours of a bitmap held as row bits, outside the box blank.
func perimeter(_ rows: [UInt64], _ box: Int) -> Int {
    var edges = 0
    for y in 1...box {
        let r = rows[y]
        // horizontal: between x and x + 1 for x = -1 ... box - 1 (the bits beyond the box are 0)
        edges += (r ^ (r << 1)).nonzeroBitCount + Int(r >> 63)
        // vertical: between this row and the one above
        edges += (r ^ rows[y - 1]).nonzeroBitCount
    }
    return edges + rows[box].nonzeroBitCount  // below the last row
}
