// A small PNG reader for the golden crops (8-bit grey, grey + alpha, RGB, RGBA; no
// interlacing): Foundation on Linux has no image decoding, and an app never needs this
// (it has the CGImage of its canvas), so it lives in the tests.

import Foundation

struct PNGError: Error, CustomStringConvertible {
    let description: String
}

/// Decode a PNG file to straight RGBA bytes, row 0 at the top.
func readPNG(_ url: URL) throws -> (rgba: [UInt8], width: Int, height: Int) {
    let data = [UInt8](try Data(contentsOf: url))
    guard data.count > 8, data[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
        throw PNGError(description: "\(url.lastPathComponent) is not a PNG")
    }
    func u32(_ k: Int) -> Int { Int(data[k]) << 24 | Int(data[k + 1]) << 16 | Int(data[k + 2]) << 8 | Int(data[k + 3]) }
    var k = 8, width = 0, height = 0, colorType = 0
    var compressed: [UInt8] = []
    while k + 8 <= data.count {
        let length = u32(k), type = String(decoding: data[(k + 4)..<(k + 8)], as: UTF8.self)
        let body = Array(data[(k + 8)..<(k + 8 + length)])
        switch type {
        case "IHDR":
            width = u32(k + 8); height = u32(k + 12); colorType = Int(body[9])
            guard body[8] == 8, body[12] == 0, [0, 2, 4, 6].contains(colorType) else {
                throw PNGError(description: "\(url.lastPathComponent): only 8-bit, non-interlaced grey/RGB(A) PNGs")
            }
        case "IDAT": compressed += body
        default: break
        }
        k += 12 + length
    }
    let channels = [0: 1, 2: 3, 4: 2, 6: 4][colorType]!
    let raw = try inflate(Array(compressed.dropFirst(2)))  // skip the zlib header
    let stride = width * channels
    var pixels = [UInt8](repeating: 0, count: height * stride)
    for y in 0..<height {
        let filter = raw[y * (stride + 1)], src = y * (stride + 1) + 1
        for x in 0..<stride {
            let a = x >= channels ? Int(pixels[y * stride + x - channels]) : 0
            let b = y > 0 ? Int(pixels[(y - 1) * stride + x]) : 0
            let c = x >= channels && y > 0 ? Int(pixels[(y - 1) * stride + x - channels]) : 0
            let predictor: Int
            switch filter {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
            default: throw PNGError(description: "bad PNG filter \(filter)")
            }
            pixels[y * stride + x] = UInt8((Int(raw[src + x]) + predictor) & 0xFF)
        }
    }
    var rgba = [UInt8](repeating: 255, count: width * height * 4)
    for i in 0..<(width * height) {
        let p = i * channels
        switch channels {
        case 1: (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) = (pixels[p], pixels[p], pixels[p])
        case 2: (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (pixels[p], pixels[p], pixels[p], pixels[p + 1])
        default: for ch in 0..<channels { rgba[4 * i + ch] = pixels[p + ch] }
        }
    }
    return (rgba, width, height)
}

/// DEFLATE (RFC 1951) decoder: stored, fixed and dynamic Huffman blocks.
func inflate(_ input: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var pos = 0, bit = 0
    func bits(_ n: Int) throws -> Int {
        var v = 0
        for i in 0..<n {
            guard pos < input.count else { throw PNGError(description: "truncated DEFLATE stream") }
            v |= Int((input[pos] >> UInt8(bit)) & 1) << i
            bit += 1
            if bit == 8 { bit = 0; pos += 1 }
        }
        return v
    }
    struct Huffman { var counts: [Int]; var symbols: [Int] }
    func huffman(_ lengths: [Int]) -> Huffman {
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths { counts[l] += 1 }
        counts[0] = 0
        var offsets = [Int](repeating: 0, count: 16)
        for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
        var symbols = [Int](repeating: 0, count: lengths.count)
        for (s, l) in lengths.enumerated() where l > 0 { symbols[offsets[l]] = s; offsets[l] += 1 }
        return Huffman(counts: counts, symbols: symbols)
    }
    func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for l in 1..<16 {
            code |= try bits(1)
            let count = h.counts[l]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count; first += count; first <<= 1; code <<= 1
        }
        throw PNGError(description: "bad Huffman code")
    }
    let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                    4097, 6145, 8193, 12289, 16385, 24577]
    let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    var last = 0
    while last == 0 {
        last = try bits(1)
        let type = try bits(2)
        if type == 0 {
            if bit > 0 { bit = 0; pos += 1 }
            let len = Int(input[pos]) | Int(input[pos + 1]) << 8
            out += input[(pos + 4)..<(pos + 4 + len)]
            pos += 4 + len
            continue
        }
        var lit: Huffman, dist: Huffman
        if type == 1 {
            lit = huffman((0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
            dist = huffman([Int](repeating: 5, count: 30))
        } else if type == 2 {
            let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
            let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
            var codeLengths = [Int](repeating: 0, count: 19)
            for i in 0..<ncode { codeLengths[order[i]] = try bits(3) }
            let codes = huffman(codeLengths)
            var lengths: [Int] = []
            while lengths.count < nlen + ndist {
                let sym = try decode(codes)
                switch sym {
                case 0..<16: lengths.append(sym)
                case 16: lengths += [Int](repeating: lengths.last ?? 0, count: 3 + (try bits(2)))
                case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
                default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
                }
            }
            lit = huffman(Array(lengths[0..<nlen]))
            dist = huffman(Array(lengths[nlen...]))
        } else {
            throw PNGError(description: "bad DEFLATE block type")
        }
        while true {
            let sym = try decode(lit)
            if sym < 256 { out.append(UInt8(sym)); continue }
            if sym == 256 { break }
            let length = lengthBase[sym - 257] + (try bits(lengthExtra[sym - 257]))
            let d = try decode(dist)
            let distance = distBase[d] + (try bits(distExtra[d]))
            for _ in 0..<length { out.append(out[out.count - distance]) }
        }
    }
    return out
}
