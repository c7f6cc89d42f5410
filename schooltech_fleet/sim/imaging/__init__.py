"""The imaging lab: PXE boots of simulated PCs (qemu VMs) inside network namespaces of their own.

A lab is one isolated Ethernet segment: a bridge, a school "router" (dnsmasq, plain DHCP and DNS),
a boot server (dnsmasq proxy-DHCP and TFTP, an HTTP server for iPXE scripts, kernels and
answer files) and one VM per PC that powers on only when a Wake-on-LAN packet names its MAC.
Start one with :class:`schooltech_fleet.sim.imaging.lab.ImagingLab`; docs/simulation.md
describes the network, its names and its cleanup. PCs boot the stand-in installer
(:mod:`installer`) or, for Debian 12, the real one (:mod:`real_installer`).
"""
