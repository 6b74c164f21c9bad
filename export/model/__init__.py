"""Model export and quantization: a GPT-2 checkpoint in, the site's ONNX files and their fidelity report out."""
