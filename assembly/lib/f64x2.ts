/**
 * f64x2 arithmetic, short so that the SIMD physics of the vector env steps
 * (assembly/cartpole.ts, assembly/acrobot.ts) reads like their scalar twins.
 */
@inline export function add(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}
@inline export function sub(a: v128, b: v128): v128 {
  return f64x2.sub(a, b);
}
@inline export function mul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}
@inline export function div(a: v128, b: v128): v128 {
  return f64x2.div(a, b);
}
