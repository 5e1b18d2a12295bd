/** Minimal ONNX ModelProto builders over onnx-proto (no timestamps: same weights, same bytes). */
export { encodeModel, node, floatTensor, int64Tensor, floatValue, type GraphSpec, type AttrValue } from './proto.js';
