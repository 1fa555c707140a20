// tfjs-backend-wasm's browser bundle names Node's fs, path, os and
// perf_hooks in import statements it never uses in a browser; the import map
// of bench-cpu.html points them here.
export default {};
