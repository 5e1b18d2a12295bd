import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttr = onnxProto.onnx.IAttributeProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;

/** An attribute value: number → FLOAT, number[] → FLOATS; integers must be wrapped in `{ int }` / `{ ints }`. */
export type AttrValue = number | string | number[] | string[] | { int: number } | { ints: number[] } | { tensor: ITensor };

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function attr(name: string, v: AttrValue): IAttr {
  if (typeof v === 'string') return { name, type: A.STRING, s: utf8(v) };
  // A bare number is FLOAT: ONNX rejects an INT attribute given as FLOAT, so ints are explicit.
  if (typeof v === 'number') return { name, type: A.FLOAT, f: v };
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: A.STRINGS, strings: (v as string[]).map(utf8) };
    return { name, type: A.FLOATS, floats: v as number[] };
  }
  if ('int' in v) return { name, type: A.INT, i: v.int };
  if ('ints' in v) return { name, type: A.INTS, ints: v.ints };
  return { name, type: A.TENSOR, t: v.tensor };
}

/** A graph node. */
export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): INode {
  return {
    opType: op, input: inputs, output: outputs, name: `${op}_${outputs[0]}`, domain,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  };
}

/** A float32 initializer; the bytes are copied verbatim (little-endian), so weights are exact. */
export function floatTensor(name: string, dims: number[], data: Float32Array): ITensor {
  if (dims.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`tensor ${name}: dims ${dims} do not match ${data.length} values`);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

/** An int64 initializer (shapes for Reshape). */
export function int64Tensor(name: string, data: number[]): ITensor {
  return { name, dims: [data.length], dataType: INT64, int64Data: data };
}

/** A float32 graph input/output with a symbolic batch dimension `N`. */
export function floatValue(name: string, cols: number): IValueInfo {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] } } } };
}

/** What a model needs besides its nodes. */
export interface GraphSpec {
  name: string;
  nodes: INode[];
  initializers: ITensor[];
  inputs: IValueInfo[];
  outputs: IValueInfo[];
  /** Operator sets, e.g. { '': 17, 'ai.onnx.ml': 3 }. */
  opsets: Record<string, number>;
  metadata?: Record<string, string>;
  doc?: string;
}

/**
 * Serialise a ModelProto. No timestamps go in, so the same weights always give the same bytes
 * (and the same sha256 in the manifest).
 */
export function encodeModel(g: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'quantum-trader',
    producerVersion: '1',
    docString: g.doc ?? '',
    opsetImport: Object.entries(g.opsets).map(([domain, version]) => ({ domain, version })),
    metadataProps: Object.entries(g.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: { name: g.name, node: g.nodes, initializer: g.initializers, input: g.inputs, output: g.outputs },
  });
  // protobufjs hands back a Node Buffer, whose slice() is a view; return a plain copy.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
