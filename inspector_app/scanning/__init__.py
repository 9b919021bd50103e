"""Scanning: camera sources, the QR decoder cascade, scan confirmation and payload formats.

Qt-free and importable without OpenCV, zxing-cpp or pyzbar loaded: the decoders are
imported the first time an image is decoded, so start-up stays lean and a machine
without them still offers typed USCC entry.
"""
