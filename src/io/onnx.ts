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
 */
import { layerShapes, paramCount, type LayerShape, type NetSpec } from "../nn/spec.ts";
import { ProtoWriter } from "./protobuf.ts";
import { InvalidStateError } from "../errors.ts";

/** The operator set the graph uses (ReduceMean takes `axes` as an attribute up to opset 17). */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13. */
const IR_VERSION = 7;
/** TensorProto.DataType.FLOAT */
const FLOAT = 1;
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

/** ONNX model bytes of the network `spec` with parameters `params` (the canonical flat layout). */
export function writeOnnx(spec: NetSpec, params: Float32Array): Uint8Array {
  // Conv layers would need Conv nodes and an NHWC-to-NCHW transpose; until then, refuse rather than write a wrong graph.
  if (spec.conv?.length) throw new InvalidStateError("ONNX export covers MLPs; this network has conv layers (netArch.conv): export it with exportSafetensors");
  if (params.length !== paramCount(spec)) throw new RangeError(`${params.length} parameters for a network of ${paramCount(spec)}`);
  const nodes: { op: string; inputs: string[]; output: string; attrs?: Attr[] }[] = [];
  const initializers: { name: string; dims: number[]; data: Float32Array }[] = [];
  const gemm = (layer: LayerShape, input: string, output: string) => {
    const w = params.subarray(layer.offset, layer.offset + layer.inSize * layer.outSize);
    const b = params.subarray(layer.offset + w.length, layer.offset + w.length + layer.outSize);
    initializers.push({ name: `${layer.name}.weight`, dims: [layer.inSize, layer.outSize], data: w }, { name: `${layer.name}.bias`, dims: [layer.outSize], data: b });
    nodes.push({ op: "Gemm", inputs: [input, `${layer.name}.weight`, `${layer.name}.bias`], output });
  };

  const shapes = layerShapes(spec);
  let x = ONNX_INPUT;
  spec.hidden.forEach((_, i) => {
    gemm(shapes[i]!, x, `hidden.${i}.linear`);
    nodes.push({ op: "Relu", inputs: [`hidden.${i}.linear`], output: `hidden.${i}` });
    x = `hidden.${i}`;
  });
  if (spec.dueling) {
    gemm(shapes[spec.hidden.length]!, x, "value");
    gemm(shapes[spec.hidden.length + 1]!, x, "advantage");
    nodes.push(
      { op: "ReduceMean", inputs: ["advantage"], output: "advantage_mean", attrs: [{ name: "axes", ints: [1] }, { name: "keepdims", int: 1 }] },
      { op: "Sub", inputs: ["advantage", "advantage_mean"], output: "advantage_centered" },
      { op: "Add", inputs: ["value", "advantage_centered"], output: ONNX_OUTPUT },
    );
  } else {
    gemm(shapes[spec.hidden.length]!, x, ONNX_OUTPUT);
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
        w.varint(Tensor.dataType, FLOAT).string(Tensor.name, t.name).bytes(Tensor.rawData, littleEndianBytes(t.data));
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

/** ONNX's raw_data is little-endian whatever the host. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}
