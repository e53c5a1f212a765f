"""Agencies, people, places, tasks and events that the ratio and story stems are set in."""

from __future__ import annotations

AGENCIES = [
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Kepegawaian Daerah",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Kantor Kecamatan Sukamaju",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Inspektorat Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Pertanian",
    "Kantor Kelurahan Mekarsari",
]
NAMES = [
    "Andi",
    "Sari",
    "Budi",
    "Rina",
    "Dewi",
    "Yusuf",
    "Made",
    "Tiur",
    "Ahmad",
    "Nur",
    "Fajar",
    "Lestari",
    "Wayan",
    "Maria",
    "Rahmat",
    "Intan",
]
# Fictional-sounding places, so no stated distance contradicts a real road.
ORIGINS = ["kantor dinas", "kantor bupati", "sekretariat daerah", "kantor wali kota"]
DESTINATIONS = [
    "Kecamatan Sukamaju",
    "Kecamatan Sumberjaya",
    "Kecamatan Tanjungsari",
    "Kecamatan Bukit Indah",
    "Kecamatan Talang Baru",
    "Kecamatan Harapan Jaya",
    "ibu kota provinsi",
    "lokasi desa binaan",
]
TASKS = [
    "memverifikasi berkas pendaftaran",
    "menginput data kependudukan",
    "memeriksa laporan keuangan desa",
    "memindai arsip surat masuk",
    "mendata aset kantor",
    "mengoreksi lembar jawaban ujian dinas",
]
EVENTS = [
    "seleksi kompetensi bidang",
    "bimbingan teknis pengadaan",
    "pelatihan kepemimpinan pengawas",
    "diklat pelayanan prima",
    "webinar keterbukaan informasi",
    "uji kompetensi jabatan fungsional",
]
