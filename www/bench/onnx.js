// A minimal ONNX model writer, enough to hand onnxruntime-web a graph of a
// few standard ops (MatMul, Mul, Softmax) on float inputs. ONNX models are
// protocol buffers; each field is (field number << 3 | wire type) followed by
// a varint or a length-prefixed payload. Field numbers are those of onnx.proto.

const enc = new TextEncoder();

function varint(n) {
  const out = [];
  while (n > 127) { out.push((n & 127) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}
const field = (num, bytes) => [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
const intField = (num, n) => [...varint(num << 3), ...varint(n)];
const str = (num, s) => field(num, [...enc.encode(s)]);

/** ValueInfoProto: a float tensor input or output named `name` of `shape`. */
function valueInfo(name, shape) {
  const dims = shape.flatMap((d) => field(1, intField(1, d)));            // TensorShapeProto.dim{dim_value}
  const tensorType = [...intField(1, 1), ...field(2, dims)];              // elem_type FLOAT, shape
  return [...str(1, name), ...field(2, field(1, tensorType))];            // name, type{tensor_type}
}

/** NodeProto: op_type with inputs and outputs (attributes are not needed here). */
function node(op, inputs, outputs) {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(4, op)];
}

/**
 * The bytes of a model: `nodes` as [op, inputs, outputs], `inputs` and
 * `outputs` as [name, shape].
 */
export function onnxModel(nodes, inputs, outputs) {
  const graph = [
    ...nodes.flatMap(([op, i, o]) => field(1, node(op, i, o))),
    ...str(2, "bench"),
    ...inputs.flatMap(([n, s]) => field(11, valueInfo(n, s))),
    ...outputs.flatMap(([n, s]) => field(12, valueInfo(n, s))),
  ];
  const opset = [...str(1, ""), ...intField(2, 13)];
  return new Uint8Array([...intField(1, 8), ...field(7, graph), ...field(8, opset)]);
}
