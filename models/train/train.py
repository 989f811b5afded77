#!/usr/bin/python3
"""Train the VQ-VAE-2 / VQ-VAE of the undertrained-reconstruction degradation (spec models.md 5).

Trains on random CROPxCROP crops (default 64) of the 256x256 images in DATA/train/ (built by
make_corpus.py), input normalised to [-1, 1], loss = MSE + 0.25 * commitment, EMA codebooks,
Adam lr 3e-4, batch 128.

Epoch equivalence: the paper trains on 45,000 Tiny-ImageNet images per epoch.  Here one epoch is
--epoch-samples samples (default 45,056 = 352 steps x batch 128), so "epoch N" means N x 352
optimizer steps and N x 45,056 crops seen; epoch boundaries fall on whole steps
(steps_per_epoch = ceil(epoch_samples / batch)).

At every epoch in --save-epochs it writes OUT/<arch>-ep<N>.safetensors (state_dict incl. EMA
buffers, float32) and OUT/<arch>-ep<N>.json (model card, with PSNR / CIEDE2000 of held-out
reconstructions).  OUT/resume.pt is rewritten atomically every --resume-every-minutes, at save
epochs and on SIGTERM/SIGINT; a new start with the same OUT resumes exactly (model, optimizer,
EMA buffers, RNG states, data-order position, loss curve, wall time).
"""
import argparse
import glob
import hashlib
import json
import math
import os
import platform
import random
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vqvae  # noqa: E402
import safetensors_io  # noqa: E402

BETA = 0.25
# arguments that define the run; on resume the stored values win
RUN_KEYS = ("arch", "crop", "batch", "lr", "epoch_samples", "seed", "hflip", "loss_every")


# ----------------------------------------------------------------------------- data
def load_images(paths):
    import cv2
    arrs = []
    for p in paths:
        im = cv2.imread(p, cv2.IMREAD_COLOR)
        if im is None:
            raise RuntimeError(f"cannot read {p}")
        arrs.append(cv2.cvtColor(im, cv2.COLOR_BGR2RGB))
    return arrs


class Sampler:
    """Data order: successive seeded permutations of the training images; for each sample a
    random crop offset and (optionally) a horizontal flip.  Fully described by its state."""

    def __init__(self, n, crop, size, seed, hflip):
        self.n, self.crop, self.size, self.hflip = n, crop, size, hflip
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.perm = self.rng.permutation(n)
        self.pos = 0
        self.passes = 0

    def next(self, bs):
        idx = np.empty(bs, dtype=np.int64)
        k = 0
        while k < bs:
            if self.pos >= self.n:
                self.perm = self.rng.permutation(self.n)
                self.pos = 0
                self.passes += 1
            take = min(bs - k, self.n - self.pos)
            idx[k:k + take] = self.perm[self.pos:self.pos + take]
            self.pos += take
            k += take
        ys = self.rng.integers(0, self.size - self.crop + 1, size=bs)
        xs = self.rng.integers(0, self.size - self.crop + 1, size=bs)
        flips = self.rng.random(bs) < 0.5 if self.hflip else np.zeros(bs, bool)
        return idx, ys, xs, flips

    def state(self):
        return {"rng": self.rng.bit_generator.state, "perm": self.perm.copy(), "pos": self.pos,
                "passes": self.passes}

    def load(self, st):
        self.rng.bit_generator.state = st["rng"]
        self.perm = np.asarray(st["perm"]).copy()
        self.pos = int(st["pos"])
        self.passes = int(st["passes"])


def make_batch(images, idx, ys, xs, flips, crop):
    out = np.empty((len(idx), crop, crop, 3), np.uint8)
    for k, (i, y, x, f) in enumerate(zip(idx, ys, xs, flips)):
        c = images[i][y:y + crop, x:x + crop]
        out[k] = c[:, ::-1] if f else c
    t = torch.from_numpy(out).permute(0, 3, 1, 2).float()
    return t / 127.5 - 1.0


# ----------------------------------------------------------------------------- evaluation
def to_uint8(y):
    """Decoder output in [-1,1] (unbounded) -> HxWx3 uint8: (y+1)/2, clamp, round."""
    y = ((y + 1) / 2).clamp(0, 1) * 255
    return torch.round(y).to(torch.uint8)[0].permute(1, 2, 0).numpy()


def psnr_u8(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * math.log10(255.0 ** 2 / mse))


def ciede2000_u8(a, b):
    from skimage.color import rgb2lab, deltaE_ciede2000
    return float(np.mean(deltaE_ciede2000(rgb2lab(a / 255.0), rgb2lab(b / 255.0))))


@torch.no_grad()
def evaluate(model, heldout, recon_dir=None):
    """Full-image reconstructions of the held-out images (cropped to the model's size
    multiple).  Returns per-image and mean PSNR (dB, 8-bit RGB) and CIEDE2000, code usage."""
    was = model.training
    model.eval()
    rows, codes = [], {}
    m = model.size_multiple
    try:
        for name, im in heldout:
            h, w = im.shape[0] // m * m, im.shape[1] // m * m
            im = np.ascontiguousarray(im[:h, :w])
            x = torch.from_numpy(im).permute(2, 0, 1)[None].float() / 127.5 - 1.0
            y, _ = model(x)
            rec = to_uint8(y)
            rows.append({"image": name, "size": [w, h], "psnr_db": round(psnr_u8(im, rec), 4),
                         "ciede2000": round(ciede2000_u8(im, rec), 4)})
            for lvl, ind in model.code_indices(x).items():
                codes.setdefault(lvl, []).append(ind.reshape(-1))
            if recon_dir:
                import cv2
                os.makedirs(recon_dir, exist_ok=True)
                cv2.imwrite(os.path.join(recon_dir, name),
                            cv2.cvtColor(rec, cv2.COLOR_RGB2BGR))
    finally:
        model.train(was)
    n_embed = model.config["n_embed"]
    usage = {lvl: vqvae.code_usage(torch.cat(v), n_embed) for lvl, v in codes.items()}
    return {"images": rows,
            "mean_psnr_db": round(float(np.mean([r["psnr_db"] for r in rows])), 4) if rows else None,
            "mean_ciede2000": round(float(np.mean([r["ciede2000"] for r in rows])), 4) if rows else None,
            "code_usage": usage}


# ----------------------------------------------------------------------------- checkpoints
def atomic_torch_save(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def data_description(data_dir, n_train, heldout_names):
    desc = {"dir": os.path.abspath(data_dir), "train_images": n_train,
            "heldout_images": heldout_names}
    mpath = os.path.join(data_dir, "manifest.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            man = json.load(f)
        srcs = {}
        for e in man.get("photos", []):
            d = srcs.setdefault(e["source"], {"train_photos": 0, "heldout_photos": 0, "train_tiles": 0})
            d[e["split"] + "_photos"] += 1
            d["train_tiles"] += e.get("train_tiles", 0)
        desc.update({"corpus": "photographs from Debian packages, cut by models/train/make_corpus.py",
                     "sources": srcs, "tile": man.get("tile"), "scales": man.get("scales"),
                     "interpolation": man.get("interpolation"),
                     "heldout_photos": list(dict.fromkeys(e["group"] for e in man.get("photos", [])
                                        if e["split"] == "heldout"))})
    return desc


# ----------------------------------------------------------------------------- main
def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=sorted(vqvae.ARCHS), default="vqvae2")
    ap.add_argument("--data", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--out", required=True, help="run directory")
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--epoch-samples", type=int, default=45056,
                    help="samples per epoch (45,056 = 352 x 128 ~ the paper's 45,000 images)")
    ap.add_argument("--save-epochs", default="4,8,16")
    ap.add_argument("--max-epochs", type=int, default=None, help="default: last save epoch")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume-every-minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hflip", type=int, default=1, help="random horizontal flips (1/0)")
    ap.add_argument("--loss-every", type=int, default=20, help="loss-curve bucket, steps")
    ap.add_argument("--log-every", type=int, default=10, help="log.txt line every N steps")
    ap.add_argument("--no-eval", action="store_true", help="skip held-out evaluation")
    ap.add_argument("--config", default=None,
                    help="JSON of model constructor overrides (tests use tiny models)")
    ap.add_argument("--max-images", type=int, default=None, help="use only the first N images")
    ap.add_argument("--stop-after-steps", type=int, default=None,
                    help="save resume.pt and stop once this many steps are done (tests)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, args.threads))
    resume_path = os.path.join(args.out, "resume.pt")
    log_path = os.path.join(args.out, "log.txt")

    def log(msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        with open(log_path, "a") as f:
            f.write(line + "\n")

    ck = None
    if os.path.exists(resume_path):
        ck = torch.load(resume_path, map_location="cpu")
        for k in RUN_KEYS:
            old = ck["args"][k]
            if getattr(args, k) != old:
                log(f"note: resuming keeps {k}={old} (given {getattr(args, k)})")
            setattr(args, k, old)
        args.config = ck["args"].get("config")

    save_epochs = sorted({int(e) for e in args.save_epochs.split(",") if e.strip()})
    max_epochs = args.max_epochs if args.max_epochs is not None else max(save_epochs)
    steps_per_epoch = -(-args.epoch_samples // args.batch)
    max_steps = max_epochs * steps_per_epoch

    # data
    train_paths = sorted(glob.glob(os.path.join(args.data, "train", "*.png")))
    if args.max_images:
        train_paths = train_paths[:args.max_images]
    if not train_paths:
        sys.exit(f"no training images in {args.data}/train (run make_corpus.py)")
    images = load_images(train_paths)
    size = min(min(im.shape[:2]) for im in images)
    if size < args.crop:
        sys.exit("training images smaller than the crop")
    held_paths = sorted(glob.glob(os.path.join(args.data, "heldout", "*.png")))
    heldout = list(zip([os.path.basename(p) for p in held_paths], load_images(held_paths)))

    # model / optimizer / sampler (seeded), then overwritten by the resume state if any
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    cfg = json.loads(args.config) if args.config else {}
    # the spec's model, with the formulations that run on oneDNN (vqvae.use_onednn)
    model = vqvae.use_onednn(vqvae.build(args.arch, **cfg))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sampler = Sampler(len(images), args.crop, size, args.seed, bool(args.hflip))
    st = {"step": 0, "wall_time_s": 0.0, "loss_curve": [], "bucket": [0.0, 0.0, 0.0, 0],
          "eval_history": [], "saved": [], "sessions": 0}
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sampler.load(ck["sampler"])
        random.setstate(ck["rng_python"])
        np.random.set_state(ck["rng_numpy"])
        torch.set_rng_state(ck["rng_torch"])
        st = ck["state"]
        if ck["n_images"] != len(images):
            log(f"warning: corpus changed ({ck['n_images']} -> {len(images)} images); data order "
                "is no longer the original one")
            sampler.n = len(images)
            sampler.perm = sampler.perm[sampler.perm < len(images)]
            sampler.pos = min(sampler.pos, len(sampler.perm))
    st["sessions"] += 1

    def save_resume():
        atomic_torch_save({
            "args": {k: getattr(args, k) for k in RUN_KEYS + ("config",)},
            "model": model.state_dict(), "optimizer": opt.state_dict(),
            "sampler": sampler.state(), "rng_python": random.getstate(),
            "rng_numpy": np.random.get_state(), "rng_torch": torch.get_rng_state(),
            "state": st, "n_images": len(images)}, resume_path)

    stop = {"sig": None}

    def on_signal(signum, frame):
        stop["sig"] = signum

    old_handlers = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}

    def write_checkpoint(epoch):
        name = f"{args.arch}-ep{epoch}"
        st_path = os.path.join(args.out, name + ".safetensors")
        ev = None
        if not args.no_eval and heldout:
            ev = evaluate(model, heldout, os.path.join(args.out, name + "-recon"))
            st["eval_history"].append({"epoch": epoch, "mean_psnr_db": ev["mean_psnr_db"],
                                       "mean_ciede2000": ev["mean_ciede2000"],
                                       "code_usage": ev["code_usage"]})
        meta = {"format": "pt", "gst-sr.arch": args.arch,
                "gst-sr.config": json.dumps(model.config, sort_keys=True),
                "gst-sr.input-range": "-1,1", "gst-sr.epochs": str(epoch),
                "gst-sr.steps": str(st["step"]),
                "gst-sr.samples-seen": str(st["step"] * args.batch),
                "gst-sr.source": "gst-sr models/train/train.py, trained on "
                                 f"{args.crop}x{args.crop} crops of Debian-packaged photographs",
                "gst-sr.license": "weights trained by gst-sr on wallpaper/example photos from "
                                  "Debian packages (see model card for the sources)"}
        safetensors_io.save_file(model.state_dict(), st_path, meta)
        card = {
            "name": name, "arch": args.arch, "config": model.config, "epoch": epoch,
            "file": os.path.basename(st_path), "sha256": sha256_file(st_path),
            "params": vqvae.count_params(model), "input_range": [-1, 1],
            "output": "unbounded; map back with (y+1)/2 and clamp to [0,1]",
            "epoch_definition": (f"1 epoch = {args.epoch_samples} samples = {steps_per_epoch} "
                                 f"optimizer steps x batch {args.batch} (~ the paper's 45,000 "
                                 "Tiny-ImageNet images per epoch, counted in samples seen)"),
            "data": data_description(args.data, len(images), [n for n, _ in heldout]),
            "crop": args.crop, "hflip": bool(args.hflip), "batch": args.batch,
            "steps": st["step"], "samples_seen": st["step"] * args.batch,
            "data_passes": sampler.passes,
            "optimizer": {"type": "Adam", "lr": args.lr, "betas": [0.9, 0.999], "schedule": "none"},
            "loss": f"MSE(out, x) + {BETA} * commitment (summed over levels); EMA codebooks "
                    f"(decay {model.config['decay']}, eps {model.config['eps']})",
            "seed": args.seed, "threads": args.threads,
            "wall_time_s": round(st["wall_time_s"], 1), "sessions": st["sessions"],
            "torch": torch.__version__, "host": platform.machine(),
            "loss_curve_every_steps": args.loss_every,
            "loss_curve_columns": ["step", "samples_seen", "loss", "mse", "latent"],
            "loss_curve": st["loss_curve"],
            "eval": ev,
            "eval_history": st["eval_history"],
            "eval_protocol": ("full held-out images (area-downscaled, long side <= 512, cropped to "
                              "multiples of 8), model.eval(), output (y+1)/2 clamped, rounded to "
                              "8 bit; PSNR over RGB [0,255]; CIEDE2000 = mean over pixels of "
                              "skimage deltaE_ciede2000(rgb2lab(orig), rgb2lab(rec)), averaged "
                              "over images"),
        }
        atomic_write_text(os.path.join(args.out, name + ".json"), json.dumps(card, indent=1))
        st["saved"].append(epoch)
        log(f"saved {name}: step {st['step']} samples {st['step'] * args.batch}"
            + (f" heldout PSNR {ev['mean_psnr_db']:.3f} dB CIEDE2000 {ev['mean_ciede2000']:.3f}"
               if ev else ""))

    log(f"{'resume' if ck else 'start'} {args.arch}: {len(images)} train images {size}px, "
        f"{len(heldout)} held-out, crop {args.crop}, batch {args.batch}, lr {args.lr}, "
        f"{steps_per_epoch} steps/epoch ({args.epoch_samples} samples), step {st['step']}/"
        f"{max_steps}, threads {args.threads}, params {vqvae.count_params(model)}")

    last_resume = time.time()
    t_log, s_log = time.time(), st["step"]
    win = [0.0, 0.0, 0.0, 0]
    try:
        while st["step"] < max_steps:
            if args.stop_after_steps is not None and st["step"] >= args.stop_after_steps:
                break
            t0 = time.time()
            x = make_batch(images, *sampler.next(args.batch), args.crop)
            opt.zero_grad()
            out, latent = model(x)
            mse = F.mse_loss(out, x)
            loss = mse + BETA * latent
            loss.backward()
            opt.step()
            st["step"] += 1
            lv, mv, zv = float(loss), float(mse), float(latent)
            b = st["bucket"]
            b[0] += lv; b[1] += mv; b[2] += zv; b[3] += 1
            if b[3] == args.loss_every:
                st["loss_curve"].append([st["step"], st["step"] * args.batch, round(b[0] / b[3], 6),
                                         round(b[1] / b[3], 6), round(b[2] / b[3], 6)])
                st["bucket"] = [0.0, 0.0, 0.0, 0]
            st["wall_time_s"] += time.time() - t0
            win[0] += lv; win[1] += mv; win[2] += zv; win[3] += 1
            if st["step"] % args.log_every == 0:
                dt = time.time() - t_log
                sps = (st["step"] - s_log) * args.batch / dt if dt > 0 else 0.0
                log(f"step {st['step']} epoch {st['step'] / steps_per_epoch:.3f} loss "
                    f"{win[0] / win[3]:.5f} mse {win[1] / win[3]:.5f} latent {win[2] / win[3]:.5f} "
                    f"{sps:.1f} samples/s {dt / max(1, st['step'] - s_log):.2f} s/step "
                    f"({steps_per_epoch * args.batch / sps / 60 if sps else 0:.1f} min/epoch)")
                t_log, s_log, win = time.time(), st["step"], [0.0, 0.0, 0.0, 0]
            if st["step"] % steps_per_epoch == 0:
                epoch = st["step"] // steps_per_epoch
                t1 = time.time()
                if not args.no_eval and heldout and epoch not in save_epochs:
                    ev = evaluate(model, heldout)
                    st["eval_history"].append({"epoch": epoch, "mean_psnr_db": ev["mean_psnr_db"],
                                               "mean_ciede2000": ev["mean_ciede2000"],
                                               "code_usage": ev["code_usage"]})
                    log(f"epoch {epoch}: heldout PSNR {ev['mean_psnr_db']:.3f} dB CIEDE2000 "
                        f"{ev['mean_ciede2000']:.3f}")
                if epoch in save_epochs and epoch not in st["saved"]:
                    write_checkpoint(epoch)
                    save_resume()
                    last_resume = time.time()
                t_log += time.time() - t1
            if time.time() - last_resume >= args.resume_every_minutes * 60:
                save_resume()
                last_resume = time.time()
            if stop["sig"] is not None:
                log(f"signal {stop['sig']}: saving resume state at step {st['step']}")
                break
        # reached only without an exception: never store a half-done step
        save_resume()
    finally:
        for s, h in old_handlers.items():
            signal.signal(s, h)
    if st["step"] >= max_steps:
        log(f"done: {st['step']} steps, {st['step'] * args.batch} samples, epoch "
            f"{st['step'] / steps_per_epoch:.2f}, wall {st['wall_time_s'] / 3600:.2f} h")
    return model, st


if __name__ == "__main__":
    main()
