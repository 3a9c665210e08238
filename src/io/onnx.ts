/**
 * A Q-network as an ONNX model (onnx.proto3, IR version 7, default-domain
 * opset 13), for game engines and ONNX runtimes (onnxruntime, Unity's
 * Inference Engine / Sentis, Godot's ONNX plug-ins).
 *
 * Graph: input `obs` float32 [batch, observationSize] (batch is dynamic),
 * one `Gemm` (Y = X W + b, W stored [in, out] as deepq's flat layout, so no
 * transpose) and a `Relu` per hidden layer, then the head: a `Gemm` to
 * `q_values` [batch, nActions], or with dueling two `Gemm`s (value [batch, 1],
 * advantage [batch, nActions]) combined as Q = V + (A - ReduceMean(A, axis 1)).
 * Weights are initializers named after src/nn/spec.ts's layers
 * (`layers.0.weight`, `value.bias`, ...).
 *
 * Conv nets keep the same flat input (the [H, W, C] observation flattened row
 * by row, as deepq takes it): `Reshape` to [batch, H, W, C], `Transpose` to
 * ONNX's NCHW, a `Conv` (weights [out, in, kh, kw], TensorFlow's "same"
 * padding as explicit pads, the odd row and column at the end) and a `Relu`
 * per conv layer, then `Transpose` back to [batch, H', W', F] and `Flatten`,
 * so the dense layers see deepq's channels-last order.
 */
import { layerShapes, paramCount, type LayerShape, type NetSpec } from "../nn/spec.ts";
import type { ConvGeometry } from "../nn/conv.ts";
import { ProtoWriter } from "./protobuf.ts";

/** The operator set the graph uses (ReduceMean takes `axes` as an attribute up to opset 17). */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13. */
const IR_VERSION = 7;
/** TensorProto.DataType */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType */
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** onnx.proto field numbers of the messages written here. */
const Model = { irVersion: 1, producerName: 2, docString: 6, graph: 7, opsetImport: 8 } as const;
const OpsetId = { domain: 1, version: 2 } as const;
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const Attribute = { name: 1, i: 3, ints: 8, type: 20 } as const;
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfo = { name: 1, type: 2 } as const;
const TypeProto = { tensorType: 1 } as const;
const TensorType = { elemType: 1, shape: 2 } as const;
const Shape = { dim: 1 } as const;
const Dim = { value: 1, param: 2 } as const;

/** The input and output names every exported model has. */
export const ONNX_INPUT = "obs";
export const ONNX_OUTPUT = "q_values";

type Attr = { name: string; int: number } | { name: string; ints: number[] };
type Initializer = { name: string; dims: number[]; data: Float32Array | BigInt64Array };

/** ONNX model bytes of the network `spec` with parameters `params` (the canonical flat layout). */
export function writeOnnx(spec: NetSpec, params: Float32Array): Uint8Array {
  if (params.length !== paramCount(spec)) throw new RangeError(`${params.length} parameters for a network of ${paramCount(spec)}`);
  const nodes: { op: string; inputs: string[]; output: string; attrs?: Attr[] }[] = [];
  const initializers: Initializer[] = [];
  const weights = (layer: LayerShape) => {
    const w = params.subarray(layer.offset, layer.offset + layer.inSize * layer.outSize);
    return { w, b: params.subarray(layer.offset + w.length, layer.offset + w.length + layer.outSize) };
  };
  const gemm = (layer: LayerShape, input: string, output: string) => {
    const { w, b } = weights(layer);
    initializers.push({ name: `${layer.name}.weight`, dims: [layer.inSize, layer.outSize], data: w }, { name: `${layer.name}.bias`, dims: [layer.outSize], data: b });
    nodes.push({ op: "Gemm", inputs: [input, `${layer.name}.weight`, `${layer.name}.bias`], output });
  };
  const conv = (layer: LayerShape, g: ConvGeometry, input: string, output: string) => {
    const { w, b } = weights(layer);
    initializers.push({ name: `${layer.name}.weight`, dims: [g.filters, g.inC, g.kernel, g.kernel], data: hwioToOihw(w, g) }, { name: `${layer.name}.bias`, dims: [g.filters], data: b });
    // Valid padding gives zeros here; "same" puts the odd row and column last, as TensorFlow.
    const padBottom = Math.max((g.outH - 1) * g.stride + g.kernel - g.inH, 0) - g.padTop;
    const padRight = Math.max((g.outW - 1) * g.stride + g.kernel - g.inW, 0) - g.padLeft;
    nodes.push({
      op: "Conv",
      inputs: [input, `${layer.name}.weight`, `${layer.name}.bias`],
      output,
      attrs: [
        { name: "kernel_shape", ints: [g.kernel, g.kernel] },
        { name: "strides", ints: [g.stride, g.stride] },
        { name: "pads", ints: [g.padTop, g.padLeft, padBottom, padRight] },
      ],
    });
  };

  const shapes = layerShapes(spec);
  let x = ONNX_INPUT;
  const convs = shapes.filter((l) => l.conv);
  if (convs.length > 0) {
    const [h, w, c] = spec.observationShape!;
    initializers.push({ name: "obs_shape", dims: [4], data: BigInt64Array.from([-1n, BigInt(h!), BigInt(w!), BigInt(c!)]) });
    nodes.push({ op: "Reshape", inputs: [ONNX_INPUT, "obs_shape"], output: "obs_nhwc" }, { op: "Transpose", inputs: ["obs_nhwc"], output: "obs_nchw", attrs: [{ name: "perm", ints: [0, 3, 1, 2] }] });
    x = "obs_nchw";
    convs.forEach((layer) => {
      conv(layer, layer.conv!, x, `${layer.name}.conv`);
      nodes.push({ op: "Relu", inputs: [`${layer.name}.conv`], output: layer.name });
      x = layer.name;
    });
    nodes.push({ op: "Transpose", inputs: [x], output: "conv_nhwc", attrs: [{ name: "perm", ints: [0, 2, 3, 1] }] }, { op: "Flatten", inputs: ["conv_nhwc"], output: "conv_flat", attrs: [{ name: "axis", int: 1 }] });
    x = "conv_flat";
  }
  const dense = shapes.slice(convs.length);
  spec.hidden.forEach((_, i) => {
    gemm(dense[i]!, x, `hidden.${i}.linear`);
    nodes.push({ op: "Relu", inputs: [`hidden.${i}.linear`], output: `hidden.${i}` });
    x = `hidden.${i}`;
  });
  if (spec.dueling) {
    gemm(dense[spec.hidden.length]!, x, "value");
    gemm(dense[spec.hidden.length + 1]!, x, "advantage");
    nodes.push(
      { op: "ReduceMean", inputs: ["advantage"], output: "advantage_mean", attrs: [{ name: "axes", ints: [1] }, { name: "keepdims", int: 1 }] },
      { op: "Sub", inputs: ["advantage", "advantage_mean"], output: "advantage_centered" },
      { op: "Add", inputs: ["value", "advantage_centered"], output: ONNX_OUTPUT },
    );
  } else {
    gemm(dense[spec.hidden.length]!, x, ONNX_OUTPUT);
  }

  const valueInfo = (name: string, size: number) => (w: ProtoWriter) => {
    w.string(ValueInfo.name, name).message(ValueInfo.type, (t) =>
      t.message(TypeProto.tensorType, (tt) =>
        tt.varint(TensorType.elemType, FLOAT).message(TensorType.shape, (s) => s.message(Shape.dim, (d) => d.string(Dim.param, "batch")).message(Shape.dim, (d) => d.varint(Dim.value, size))),
      ),
    );
  };

  const graph = (g: ProtoWriter) => {
    nodes.forEach((n, i) =>
      g.message(Graph.node, (w) => {
        for (const input of n.inputs) w.string(Node.input, input);
        w.string(Node.output, n.output).string(Node.name, `${n.op.toLowerCase()}_${i}`).string(Node.opType, n.op);
        for (const a of n.attrs ?? []) {
          w.message(Node.attribute, (aw) => {
            aw.string(Attribute.name, a.name);
            if ("int" in a) aw.varint(Attribute.i, a.int).varint(Attribute.type, ATTR_INT);
            else {
              for (const v of a.ints) aw.varint(Attribute.ints, v);
              aw.varint(Attribute.type, ATTR_INTS);
            }
          });
        }
      }),
    );
    g.string(Graph.name, "deepq_q_network");
    for (const t of initializers) {
      g.message(Graph.initializer, (w) => {
        for (const d of t.dims) w.varint(Tensor.dims, d);
        w.varint(Tensor.dataType, t.data instanceof Float32Array ? FLOAT : INT64).string(Tensor.name, t.name).bytes(Tensor.rawData, littleEndianBytes(t.data));
      });
    }
    g.message(Graph.input, valueInfo(ONNX_INPUT, spec.observationSize));
    g.message(Graph.output, valueInfo(ONNX_OUTPUT, spec.nActions));
  };

  return new ProtoWriter()
    .varint(Model.irVersion, IR_VERSION)
    .string(Model.producerName, "deepq")
    .string(Model.docString, `DQN Q-network: ${ONNX_INPUT} [batch, ${spec.observationSize}] -> ${ONNX_OUTPUT} [batch, ${spec.nActions}]; the greedy action is argmax over axis 1`)
    .message(Model.graph, graph)
    .message(Model.opsetImport, (w) => w.string(OpsetId.domain, "").varint(OpsetId.version, ONNX_OPSET))
    .finish();
}

/** A conv weight from deepq's [kh, kw, in, out] (HWIO) to ONNX's [out, in, kh, kw]. */
function hwioToOihw(w: Float32Array, g: ConvGeometry): Float32Array {
  const out = new Float32Array(w.length);
  const k = g.kernel;
  for (let y = 0; y < k; y++) {
    for (let x = 0; x < k; x++) {
      for (let i = 0; i < g.inC; i++) {
        for (let o = 0; o < g.filters; o++) out[((o * g.inC + i) * k + y) * k + x] = w[((y * k + x) * g.inC + i) * g.filters + o]!;
      }
    }
  }
  return out;
}

/** ONNX's raw_data is little-endian whatever the host. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}
