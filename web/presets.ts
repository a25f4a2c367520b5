// One click per claim of the paper, each a link's query. Evaluations are lighter than the CLI's
// (fewer test samples, a shorter grid, a lighter strong-attack check) so each finishes in a visit.
export interface Preset {
  id: string;
  title: string;
  /** What the run shows, in one sentence a teacher can read out. */
  claim: string;
  /** Empty: the page's default run. */
  query: string;
}

const LIGHT = "n-eval=500&eps-l2=0.1,0.2,0.5&eps-linf=0.02,0.05&strong-steps=20&strong-restarts=1";

export const PRESETS: Preset[] = [
  {
    id: "supervised",
    title: "Supervised purification",
    claim:
      "Adversarial supervised pre-training makes each neuron pick one feature, and a downstream head trained on clean data alone keeps its accuracy under attack; after clean pre-training it does not.",
    query: "",
  },
  {
    id: "contrastive",
    title: "Contrastive purification",
    claim:
      "The same holds without labels: adversarial contrastive pre-training (identical views, fixed thresholds) purifies, and the clean-trained downstream head inherits the robustness.",
    query: `mode=contrastive&steps=500&${LIGHT}`,
  },
  {
    id: "view-noise",
    title: "Contrastive, noisy views: the gap vanishes",
    claim:
      "Where the claim stops holding: independent noise on the two views already decouples the features, so clean contrastive pre-training purifies too and the two arms end up close.",
    query: `mode=contrastive&steps=500&views=noise&view-noise=0.05&${LIGHT}`,
  },
  {
    id: "thresholds",
    title: "Contrastive, trainable thresholds from 0: nothing purifies",
    claim:
      "Where the claim fails: with trainable thresholds started at 0, adversarial contrastive training keeps them at 0, the network stays nearly linear, its neurons stay mixed and the downstream head is not robust.",
    query: `mode=contrastive&steps=500&threshold=0&train-threshold=true&${LIGHT}`,
  },
  {
    id: "digits",
    title: "Handwritten digits",
    claim:
      "On real images (10,000 MNIST digits) the adversarially pre-trained network's clean-trained head is the more robust one under linf attacks; purity has no dictionary here, so the heatmaps show raw pixel weights.",
    query: `data=mnist&steps=300&${LIGHT.replace("eps-l2=0.1,0.2,0.5&eps-linf=0.02,0.05", "eps-l2=0.5,1&eps-linf=0.05,0.1")}`,
  },
];
