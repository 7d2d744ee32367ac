#!/usr/bin/env python3
"""Export OSEDiff (Stable Diffusion 2.1-base + the authors' LoRA weights) to a Revive `onestep-diffusion` pack, or with
`--face` the authors' face LoRA (`osediff_face.pkl`) to a `face-restore` pack of the one-step diffusion layout.

UNVERIFIED: written against the published OSEDiff code and the diffusers / peft / torch.onnx APIs, but never run in
the Revive build environment (no weights, no torch there). See README.md in this folder.

What it does:
  1. loads SD 2.1-base (diffusers layout) and `osediff.pkl`;
  2. adds LoRA adapters with peft to the UNet (three adapters: encoder / decoder / other modules) and to the VAE
     encoder, with the module lists and ranks stored in the checkpoint, loads the trained LoRA weights (and the UNet's
     retrained `conv_in`), and merges them into the base weights;
  3. exports, opset 17, float32 I/O:
       vae_encoder/model.onnx   sample [1,3,H,W] in [-1,1]  -> latent_sample [1,8,H/8,W/8]  (quant_conv(encoder(x)):
                                mean ‖ log-variance, unscaled)
       unet/model.onnx          sample [1,4,h,w], timestep [1] int64, encoder_hidden_states [1,77,1024] -> out_sample
       vae_decoder/model.onnx   latent_sample [1,4,h,w] -> sample [1,3,8h,8w]  (decoder(post_quant_conv(z)))
       text_encoder/model.onnx  input_ids [1,77] int64 -> last_hidden_state [1,77,1024]
     then stores the weights as float16 with float32 inputs and outputs (the VAE stays float32 when its config asks
     for it: SD's VAE overflows in fp16 at large sizes);
  4. writes tokenizer/tokenizer.json (+ tokenizer_config.json carrying the pad token), the empty prompt's embedding,
     optionally the DAPE tagger (RAM Swin-L + OSEDiff's DAPE LoRA) with its tag list and per-tag thresholds, and
     revive-pack.json with every file's size and sha256.

Usage:
  python export_osediff.py --sd PATH_TO_SD21_BASE --osediff preset/models/osediff.pkl --out packs/osediff \
      [--ram ram_swin_large_14m.pth --dape DAPE.pth --osediff-repo PATH_TO_OSEDIFF_CHECKOUT] [--check]
  python export_osediff.py --face --sd PATH_TO_SD21_BASE --osediff preset/models/osediff_face.pkl --out packs/osediff-face

With --face the same graphs are exported (the face checkpoint is read with the same keys; a missing key stops the
export), without a tagger, and the manifest is a face-restore pack: layout "onestep-diffusion", scale 1, aligned
faces of 512 px, prompt mode "none", the pipeline's colour fix "none" (the faces stage matches the restored face's
colour to the photo under its feathered mask before pasting).
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from peft import LoraConfig
from peft.tuners.tuners_utils import BaseTunerLayer
from transformers import CLIPTextModel, CLIPTokenizerFast

OPSET = 17
TIMESTEP = 999
# The three UNet adapters and the VAE adapter, named as the authors named them: the checkpoint's state-dict keys
# contain these names (e.g. "...to_q.lora_A.default_encoder.weight").
UNET_ADAPTERS = {
    "default_encoder": "unet_lora_encoder_modules",
    "default_decoder": "unet_lora_decoder_modules",
    "default_others": "unet_lora_others_modules",
}
VAE_ADAPTER = ("default_encoder", "vae_lora_encoder_modules")
REQUIRED_KEYS = [*UNET_ADAPTERS.values(), VAE_ADAPTER[1], "rank_unet", "rank_vae", "state_dict_unet", "state_dict_vae"]


def fail(message: str) -> None:
    sys.exit(f"export_osediff: {message}")


# ------------------------------------------------------------------------------------------------------------------
# 1–2. Models with the LoRA merged


def load_checkpoint(path: Path) -> dict:
    # weights_only: the checkpoint is plain data (lists of module names, ints, tensors); no code needs to run.
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    missing = [k for k in REQUIRED_KEYS if k not in ckpt]
    if missing:
        fail(f"{path} lacks {', '.join(missing)} (has: {', '.join(sorted(ckpt))})")
    return ckpt


def copy_trained(model: torch.nn.Module, state: dict, wanted, what: str) -> int:
    """Copies every parameter whose name passes `wanted` from `state`, by name, refusing any gap."""
    copied = 0
    missing = []
    for name, param in model.named_parameters():
        if not wanted(name):
            continue
        if name not in state:
            missing.append(name)
            continue
        if state[name].shape != param.shape:
            fail(f"{what}: {name} is {tuple(state[name].shape)} in the checkpoint, {tuple(param.shape)} in the model")
        with torch.no_grad():
            param.copy_(state[name].to(param.dtype))
        copied += 1
    if missing:
        fail(f"{what}: {len(missing)} trained parameters are not in the checkpoint, e.g. {missing[:3]}")
    if copied == 0:
        fail(f"{what}: no parameter matched; are the adapter names right?")
    return copied


def merge_lora(model: torch.nn.Module) -> int:
    """Merges every adapter of every peft layer into its base layer and puts the base layer back in its place."""
    tuned = [(name, m) for name, m in model.named_modules() if isinstance(m, BaseTunerLayer)]
    for name, layer in tuned:
        layer.merge(adapter_names=list(layer.lora_A.keys()))
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, layer.get_base_layer())
    left = [n for n, m in model.named_modules() if isinstance(m, BaseTunerLayer)]
    if left:
        fail(f"LoRA layers left after merging: {left[:3]}")
    return len(tuned)


def load_osediff(sd: Path, ckpt: dict) -> tuple[UNet2DConditionModel, AutoencoderKL]:
    unet = UNet2DConditionModel.from_pretrained(sd, subfolder="unet", torch_dtype=torch.float32)
    vae = AutoencoderKL.from_pretrained(sd, subfolder="vae", torch_dtype=torch.float32)
    # peft's defaults apart from r (lora_alpha 8), exactly as the authors configured them, so merging scales the
    # same way their inference does.
    for adapter, key in UNET_ADAPTERS.items():
        unet.add_adapter(LoraConfig(r=ckpt["rank_unet"], init_lora_weights="gaussian", target_modules=ckpt[key]), adapter_name=adapter)
    vae.add_adapter(
        LoraConfig(r=ckpt["rank_vae"], init_lora_weights="gaussian", target_modules=ckpt[VAE_ADAPTER[1]]), adapter_name=VAE_ADAPTER[0]
    )
    # The UNet's conv_in was trained in full, besides its LoRA.
    n_unet = copy_trained(unet, ckpt["state_dict_unet"], lambda n: "lora" in n or "conv_in" in n, "UNet")
    n_vae = copy_trained(vae, ckpt["state_dict_vae"], lambda n: "lora" in n, "VAE")
    print(f"loaded {n_unet} UNet and {n_vae} VAE tensors; merged {merge_lora(unet)} UNet and {merge_lora(vae)} VAE LoRA layers")
    return unet.eval(), vae.eval()


# ------------------------------------------------------------------------------------------------------------------
# 3. Graphs


class VaeEncoderGraph(torch.nn.Module):
    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.encoder = vae.encoder
        self.quant_conv = vae.quant_conv if getattr(vae, "quant_conv", None) is not None else torch.nn.Identity()

    def forward(self, sample):
        return self.quant_conv(self.encoder(sample))


class VaeDecoderGraph(torch.nn.Module):
    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.post_quant_conv = vae.post_quant_conv if getattr(vae, "post_quant_conv", None) is not None else torch.nn.Identity()
        self.decoder = vae.decoder

    def forward(self, latent_sample):
        return self.decoder(self.post_quant_conv(latent_sample))


class UNetGraph(torch.nn.Module):
    def __init__(self, unet: UNet2DConditionModel):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states=encoder_hidden_states, return_dict=False)[0]


class TextEncoderGraph(torch.nn.Module):
    def __init__(self, text_encoder: CLIPTextModel):
        super().__init__()
        self.text_encoder = text_encoder

    def forward(self, input_ids):
        return self.text_encoder(input_ids=input_ids, return_dict=False)[0]


class TaggerGraph(torch.nn.Module):
    """RAM's tag logits (before the sigmoid and thresholds), following RAMLora.generate_tag step by step."""

    def __init__(self, ram_model):
        super().__init__()
        self.m = ram_model

    def forward(self, image):
        m = self.m
        label_embed = torch.nn.functional.relu(m.wordvec_proj(m.label_embed))
        image_embeds = m.image_proj(m.visual_encoder(image))
        image_atts = torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=image.device)
        label_embed = label_embed.unsqueeze(0).expand(image.shape[0], -1, -1)
        tagging = m.tagging_head(
            encoder_embeds=label_embed,
            encoder_hidden_states=image_embeds,
            encoder_attention_mask=image_atts,
            return_dict=False,
            mode="tagging",
        )
        return m.fc(tagging[0]).squeeze(-1)


def export_graph(module: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], dynamic: dict) -> None:
    """torch.onnx.export with the TorchScript exporter (the dynamo one is the default in recent torch releases)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            str(path),
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=dynamic,
            opset_version=OPSET,
            do_constant_folding=True,
            **extra,
        )


def finish_graph(tmp: Path, out: Path, fp16: bool) -> list[Path]:
    """Loads an exported graph (external data included), stores its weights as fp16 with fp32 I/O if asked, and saves
    it as one file (or with a `model.onnx_data` file beside it above protobuf's 2 GB). Returns the files written."""
    model = onnx.load(str(tmp), load_external_data=True)
    if fp16:
        from onnxconverter_common import float16

        # keep_io_types: the graph's inputs and outputs stay float32 (Revive feeds and reads float32 only).
        model = float16.convert_float_to_float16(model, keep_io_types=True, disable_shape_infer=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    if model.ByteSize() < 2**31 - 2**24:
        onnx.save(model, str(out))
        return [out]
    data = out.with_name(out.name + "_data")
    onnx.save(model, str(out), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name)
    return [out, data]


# ------------------------------------------------------------------------------------------------------------------
# 4. Pack files


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_graph(path: Path, module: torch.nn.Module, feeds: dict[str, np.ndarray], args: tuple) -> float:
    """Max |onnxruntime − torch| on one input (a sanity check of the export, not of fp16 accuracy limits)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)[0]
    with torch.no_grad():
        want = module(*args).float().numpy()
    return float(np.max(np.abs(got.astype(np.float32) - want)))


def face_manifest(manifest: dict, face_size: int) -> dict:
    """The one-step manifest turned into a face-restore pack of the one-step diffusion layout (same files and graphs)."""
    face = {k: v for k, v in manifest.items() if k not in ("kind", "tagger")}
    face.update(
        kind="face-restore",
        layout="onestep-diffusion",
        scale=1,
        name="OSEDiff face (SD 2.1-base, one step)",
        description="One-step diffusion face restoration on aligned 512 px faces: Stable Diffusion 2.1-base with the "
                    "OSEDiff authors' face LoRA (osediff_face.pkl) merged.",
        faces={"size": face_size, "colorMatch": "adain"},
    )
    face["diffusion"] = {**manifest["diffusion"], "promptMode": "none", "colorFix": "none"}
    return face


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sd", required=True, type=Path, help="Stable Diffusion 2.1-base in diffusers layout (folder)")
    p.add_argument("--osediff", required=True, type=Path, help="the authors' osediff.pkl (osediff_face.pkl with --face)")
    p.add_argument("--out", required=True, type=Path, help="pack folder to create (must not exist)")
    p.add_argument("--face", action="store_true", help="the checkpoint is the face LoRA: write a face-restore pack (layout onestep-diffusion)")
    p.add_argument("--id", default=None, help="pack id (default osediff-sd21, or osediff-face-sd21 with --face)")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--ram", type=Path, help="RAM Swin-L weights (ram_swin_large_14m.pth) for the tagger")
    p.add_argument("--dape", type=Path, help="OSEDiff's DAPE weights (DAPE.pth) for the tagger")
    p.add_argument("--osediff-repo", type=Path, help="a checkout of the OSEDiff repository (its `ram` package builds the tagger)")
    p.add_argument("--fp32", action="store_true", help="keep every graph's weights in float32")
    p.add_argument("--vae-tile", type=int, nargs=3, default=[1024, 512, 64], metavar=("ENCODE", "DECODE", "OVERLAP"),
                   help="default VAE tiles in image pixels (multiples of 8)")
    p.add_argument("--check", action="store_true", help="compare each exported graph with torch on one input (needs onnxruntime)")
    a = p.parse_args()

    if a.out.exists():
        fail(f"{a.out} exists; choose a new folder")
    want_tagger = any([a.ram, a.dape, a.osediff_repo])
    if want_tagger and a.face:
        fail("--face packs carry no tagger (the faces stage runs them with the empty prompt); drop --ram, --dape and --osediff-repo")
    pack_id = a.id or ("osediff-face-sd21" if a.face else "osediff-sd21")
    if want_tagger and not all([a.ram, a.dape, a.osediff_repo]):
        fail("the tagger needs all three of --ram, --dape and --osediff-repo")
    if any(v % 8 for v in a.vae_tile):
        fail(f"--vae-tile values must be multiples of 8, got {a.vae_tile}")

    ckpt = load_checkpoint(a.osediff)
    unet, vae = load_osediff(a.sd, ckpt)
    text_encoder = CLIPTextModel.from_pretrained(a.sd, subfolder="text_encoder", torch_dtype=torch.float32).eval()
    tokenizer = CLIPTokenizerFast.from_pretrained(a.sd, subfolder="tokenizer")
    scheduler = DDPMScheduler.from_pretrained(a.sd, subfolder="scheduler")
    alpha_bar = float(scheduler.alphas_cumprod[TIMESTEP])
    max_tokens = int(tokenizer.model_max_length)
    hidden = int(text_encoder.config.hidden_size)
    scaling = float(vae.config.scaling_factor)
    # diffusers marks VAEs that overflow in fp16 with force_upcast; keep those float32.
    vae_fp16 = not a.fp32 and not bool(getattr(vae.config, "force_upcast", False))

    out = a.out
    work = Path(tempfile.mkdtemp(prefix="osediff-export-"))
    files: list[Path] = []
    try:
        img = torch.rand(1, 3, 512, 512) * 2 - 1
        lat = torch.randn(1, 4, 64, 64)
        ts = torch.tensor([TIMESTEP], dtype=torch.int64)
        ids = tokenizer("", padding="max_length", max_length=max_tokens, truncation=True, return_tensors="pt").input_ids
        ehs = torch.randn(1, max_tokens, hidden)
        graphs = [
            ("vae_encoder", VaeEncoderGraph(vae), (img,), ["sample"], ["latent_sample"],
             {"sample": {2: "height", 3: "width"}, "latent_sample": {2: "latent_height", 3: "latent_width"}}, vae_fp16),
            ("unet", UNetGraph(unet), (lat, ts, ehs), ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
             {"sample": {2: "latent_height", 3: "latent_width"}, "out_sample": {2: "latent_height", 3: "latent_width"}}, not a.fp32),
            ("vae_decoder", VaeDecoderGraph(vae), (lat,), ["latent_sample"], ["sample"],
             {"latent_sample": {2: "latent_height", 3: "latent_width"}, "sample": {2: "height", 3: "width"}}, vae_fp16),
            ("text_encoder", TextEncoderGraph(text_encoder), (ids,), ["input_ids"], ["last_hidden_state"], {}, not a.fp32),
        ]
        for name, module, args, ins, outs, dyn, fp16 in graphs:
            print(f"exporting {name} ({'fp16' if fp16 else 'fp32'} weights)…")
            tmp = work / name / "model.onnx"
            export_graph(module, args, tmp, ins, outs, dyn)
            written = finish_graph(tmp, out / name / "model.onnx", fp16)
            files += written
            if a.check:
                feeds = {n: t.numpy() for n, t in zip(ins, args)}
                print(f"  {name}: max |onnx − torch| = {check_graph(written[0], module, feeds, args):.3g}")
            shutil.rmtree(work / name)

        # Tokenizer: the fast tokenizer's own JSON, plus the config that names the pad token ("!" for SD 2.x).
        (out / "tokenizer").mkdir(parents=True)
        tokenizer.backend_tokenizer.save(str(out / "tokenizer" / "tokenizer.json"))
        config = {"pad_token": tokenizer.pad_token, "model_max_length": max_tokens, "padding_side": tokenizer.padding_side}
        (out / "tokenizer" / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        files += [out / "tokenizer" / "tokenizer.json", out / "tokenizer" / "tokenizer_config.json"]

        # The empty prompt's hidden state, computed in float32 (the paper's fidelity setting uses it for every image).
        with torch.no_grad():
            empty = text_encoder(input_ids=ids, return_dict=False)[0].float().numpy()
        assert empty.shape == (1, max_tokens, hidden), empty.shape
        empty_path = out / "text_encoder" / "empty_prompt.f32"
        empty.astype("<f4").tofile(empty_path)
        files.append(empty_path)

        tagger = None
        if want_tagger:
            sys.path.insert(0, str(a.osediff_repo.resolve()))
            from ram.models.ram_lora import ram  # noqa: E402  (the authors' package, from their checkout)

            print("exporting tagger (RAM Swin-L + DAPE)…")
            ram_model = ram(pretrained=str(a.ram), pretrained_condition=str(a.dape), image_size=384, vit="swin_l").eval()
            tmp = work / "tagger" / "model.onnx"
            export_graph(TaggerGraph(ram_model), (torch.randn(1, 3, 384, 384),), tmp, ["image"], ["logits"], {})
            files += finish_graph(tmp, out / "tagger" / "model.onnx", not a.fp32)
            tags = [str(t) for t in ram_model.tag_list]
            thresholds = [float(v) for v in ram_model.class_threshold.tolist()]
            for i in getattr(ram_model, "delete_tag_index", []):
                thresholds[i] = 1.0  # a threshold of 1 disables a tag in Revive
            (out / "tagger" / "tags.txt").write_text("\n".join(tags) + "\n", encoding="utf-8")
            (out / "tagger" / "thresholds.json").write_text(json.dumps(thresholds) + "\n", encoding="utf-8")
            files += [out / "tagger" / "tags.txt", out / "tagger" / "thresholds.json"]
            tagger = {"model": "tagger/model.onnx", "tags": "tagger/tags.txt", "thresholds": "tagger/thresholds.json", "inputSize": 384}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rel = lambda f: f.relative_to(out).as_posix()  # noqa: E731
    manifest = {
        "schemaVersion": 1,
        "id": pack_id,
        "name": "OSEDiff (SD 2.1-base, one step)",
        "version": a.version,
        "description": "One-step diffusion restoration (Wu, Sun, Ma, Zhang 2024): Stable Diffusion 2.1-base with the authors' LoRA merged.",
        "kind": "onestep-diffusion",
        "scale": 4,
        "speed": "slow",
        "files": [{"path": rel(f), "size": f.stat().st_size, "sha256": sha256(f)} for f in sorted(files)],
        "tile": {"size": 96, "overlap": 32, "pad": 0, "multiple": 1},
        "licence": {
            "id": "CreativeML-OpenRAIL++-M AND OSEDiff-weights",
            "summary": "Stable Diffusion 2.1 weights are under the CreativeML Open RAIL++-M licence, whose use-based "
                       "restrictions apply to you and to the images you make; the OSEDiff LoRA weights (and the RAM/DAPE "
                       "tagger, if included) are under their authors' terms. Read both before using this pack.",
            "url": "https://huggingface.co/stabilityai/stable-diffusion-2-1-base/blob/main/LICENSE-MODEL",
        },
        "provenance": {
            "source": f"{a.sd.name} (Stable Diffusion 2.1-base) + {a.osediff.name} sha256 {sha256(a.osediff)}",
            "conversion": f"tools/export-osediff/export_osediff.py: peft LoRA merged, ONNX opset {OPSET}, "
                          f"{'fp32' if a.fp32 else 'fp16'} weights (VAE {'fp16' if vae_fp16 else 'fp32'}), fp32 I/O",
            "authors": "Rongyuan Wu, Lingchen Sun, Zhiyuan Ma, Lei Zhang (OSEDiff); Stability AI (Stable Diffusion 2.1)",
        },
        "diffusion": {
            "timestep": TIMESTEP,
            "alphaBar": alpha_bar,
            "vaeScalingFactor": scaling,
            "hiddenSize": hidden,
            "maxTokens": max_tokens,
            "colorFix": "adain",
            "promptMode": "tags" if tagger else "none",
            "vaeTile": {"encode": a.vae_tile[0], "decode": a.vae_tile[1], "overlap": a.vae_tile[2]},
        },
        "graphs": {
            "vaeEncoder": "vae_encoder/model.onnx",
            "unet": "unet/model.onnx",
            "vaeDecoder": "vae_decoder/model.onnx",
            "textEncoder": "text_encoder/model.onnx",
            "tokenizer": "tokenizer/tokenizer.json",
            "emptyPromptEmbedding": "text_encoder/empty_prompt.f32",
        },
    }
    if tagger:
        manifest["tagger"] = tagger
    if a.face:
        manifest = face_manifest(manifest, 512)
    (out / "revive-pack.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(files)} files, ᾱ_{TIMESTEP} = {alpha_bar:.7f}); install with: revive models add {out}")


if __name__ == "__main__":
    main()
