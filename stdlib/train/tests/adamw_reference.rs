//! AdamW against an independent f64 implementation of `torch.optim.AdamW`'s documented
//! algorithm, on a tiny module with a weight, a bias and a layer norm.

use burn::backend::{Autodiff, Flex};
use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::{Tensor, TensorData, backend::Backend};
use clarity_train::optim::{AdamW, AdamWConfig, DecayPolicy, Gradients};

type B = Autodiff<Flex>;

#[derive(Module, Debug)]
struct Toy<B: Backend> {
    dense: Linear<B>,
    norm: LayerNorm<B>,
}

/// torch.optim.AdamW (docs, "Algorithm"), one parameter, in f64.
struct Reference {
    p: Vec<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Reference {
    fn new(p: Vec<f64>) -> Self {
        let n = p.len();
        Self {
            p,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    fn step(&mut self, g: &[f64], lr: f64, wd: f64) {
        let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
        self.t += 1;
        let (bc1, bc2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        for (((p, m), v), g) in self.p.iter_mut().zip(&mut self.m).zip(&mut self.v).zip(g) {
            *p -= lr * wd * *p;
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let (m_hat, v_hat) = (*m / bc1, *v / bc2);
            *p -= lr * m_hat / (v_hat.sqrt() + eps);
        }
    }
}

fn values<const D: usize>(t: Tensor<B, D>) -> Vec<f64> {
    t.into_data().convert::<f64>().to_vec().unwrap()
}

fn constant<const D: usize>(values: &[f32], shape: [usize; D]) -> Tensor<B, D> {
    Tensor::from_data(TensorData::new(values.to_vec(), shape), &Default::default())
}

/// loss = sum(c * p) + 0.5 * sum(p^2) over every parameter, so the gradient is `c + p`.
fn loss(toy: &Toy<B>, cs: &[Vec<f32>; 4]) -> Tensor<B, 1> {
    let w = toy.dense.weight.val();
    let b = toy.dense.bias.as_ref().unwrap().val();
    let gamma = toy.norm.gamma.val();
    let beta = toy.norm.beta.as_ref().unwrap().val();
    let term2 = |p: Tensor<B, 2>, c: Tensor<B, 2>| {
        (p.clone() * c).sum() + (p.clone() * p).sum().mul_scalar(0.5)
    };
    let term1 = |p: Tensor<B, 1>, c: Tensor<B, 1>| {
        (p.clone() * c).sum() + (p.clone() * p).sum().mul_scalar(0.5)
    };
    term2(w, constant(&cs[0], [2, 3]))
        + term1(b, constant(&cs[1], [3]))
        + term1(gamma, constant(&cs[2], [3]))
        + term1(beta, constant(&cs[3], [3]))
}

fn params(toy: &Toy<B>) -> [Vec<f64>; 4] {
    [
        values(toy.dense.weight.val()),
        values(toy.dense.bias.as_ref().unwrap().val()),
        values(toy.norm.gamma.val()),
        values(toy.norm.beta.as_ref().unwrap().val()),
    ]
}

fn run(policy: DecayPolicy, decayed: [bool; 4]) {
    let device = Default::default();
    let mut toy = Toy::<B> {
        dense: LinearConfig::new(2, 3).init(&device),
        norm: LayerNormConfig::new(3).init(&device),
    };
    toy.dense.weight = Param::from_tensor(constant(&[0.5, -0.25, 1.0, -2.0, 0.125, 0.75], [2, 3]));
    toy.dense.bias = Some(Param::from_tensor(constant(&[0.1, -0.2, 0.3], [3])));
    toy.norm.beta = Some(Param::from_tensor(constant(&[0.05, 0.0, -0.4], [3])));
    let cs: [Vec<f32>; 4] = [
        vec![1.0, -3.0, 0.5, 0.0, 2.0, -1.0],
        vec![-0.5, 0.25, 4.0],
        vec![0.3, -0.7, 1e-3],
        vec![2.0, -2.0, 0.0],
    ];
    let wd = 0.1;
    let mut reference = params(&toy).map(Reference::new);
    let mut optim = AdamW::<Flex>::new(AdamWConfig {
        weight_decay: wd,
        decay: policy,
        ..AdamWConfig::default()
    });
    for lr in [1e-2, 5e-3, 2e-2, 1e-3] {
        let before = params(&toy);
        for (i, r) in reference.iter_mut().enumerate() {
            let g: Vec<f64> = before[i]
                .iter()
                .zip(&cs[i])
                .map(|(p, c)| p + *c as f64)
                .collect();
            r.step(&g, lr, if decayed[i] { wd } else { 0.0 });
        }
        let grads = Gradients::from_backward::<B, _>(&toy, loss(&toy, &cs).backward());
        assert_eq!(grads.len(), 4);
        toy = optim.step(lr, toy, grads);
        for (i, (got, r)) in params(&toy).iter().zip(&reference).enumerate() {
            for (a, b) in got.iter().zip(&r.p) {
                assert!((a - b).abs() < 1e-6, "param {i}: {a} vs {b} (lr {lr})");
            }
        }
    }
    assert_eq!(optim.states().len(), 4);
    assert!(optim.states().values().all(|s| s.step == 4));
    let keys: Vec<&str> = optim.states().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["dense.bias", "dense.weight", "norm.beta", "norm.gamma"]
    );
}

#[test]
fn matches_torch_adamw_with_decay_on_weights_only() {
    // Decay on the linear weight; none on its bias or the layer norm's gamma and beta.
    run(DecayPolicy::ExceptBiasAndNorm, [true, false, false, false]);
}

#[test]
fn matches_torch_adamw_with_decay_on_all_parameters() {
    run(DecayPolicy::All, [true; 4]);
}
