// swift-tools-version:5.9
// DigitsSVMKit: the phone's half of digits_svm (stroke parsing, rendering, both
// preprocessing methods; Foundation only), and `digits-grid`, the door through which the
// Python tests check it. See ../docs/xcode.md.
import PackageDescription

let package = Package(
    name: "DigitsSVMKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "DigitsSVMKit", targets: ["DigitsSVMKit"]),
        .executable(name: "digits-grid", targets: ["digits-grid"]),
    ],
    targets: [
        .target(name: "DigitsSVMKit"),
        .executableTarget(name: "digits-grid", dependencies: ["DigitsSVMKit"]),
        .testTarget(name: "DigitsSVMKitTests", dependencies: ["DigitsSVMKit"]),
    ]
)
