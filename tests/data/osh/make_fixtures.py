#!/usr/bin/env python3
"""Write the Open Supply Hub (OSH) fixtures in this folder, deterministically.

    python tests/data/osh/make_fixtures.py

Four files, in the layouts OSH's own code produces (open-supply-hub at commit
3582f9b415b713825f8d5a31e5ea481b2ee3262f, 2026-08-21; evidence in /work/research/osh.md):

  facilities-download.csv   the "Download > CSV" file (facilities.csv) of a full, non-embed
                            download: headers and rows from FacilityDownloadSerializer, joined by
                            the React app's joinDataIntoCSVString (every text cell in double quotes,
                            numbers bare, newlines in a cell turned into spaces, '\n' line ends,
                            no BOM).
  facilities-download.xlsx  the "Download > Excel" file: the same headers and rows written by
                            SheetJS aoa_to_sheet into one sheet named "facilities"; lat and lng are
                            numbers, every other cell is text (numbers such as "58" included).
  upload-template.csv       one contributor's list in the columns of OSH's list template
                            (ContriBot's allowed columns), saved the way Excel's "CSV UTF-8" does
                            (UTF-8 BOM, CRLF, minimal quoting). OSH accepts it (utf-8-sig).
  upload-template.xlsx      the same list as an Excel workbook, one sheet; OSH reads the first sheet.

All facilities, people, lists and addresses are invented; country codes, country names, OSH
sector names, processing types, affiliations and WageIndicator links are OSH's real values.

The upload holds the raw values one contributor ("Northwind Retail Group") typed. The download
is what OSH would show for the same 12 facilities after other contributors and claims were
added, computed here with OSH's rules (see ext_fields and claim_cells). Where OSH's output order
comes from a Python set or an unordered SQL query, this script uses first-seen order; real
downloads may order those '|'-joined values differently.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------------
# OSH layouts (verbatim header strings)
# --------------------------------------------------------------------------------------------
# FacilityDownloadSerializerBase.COMMON_HEADERS
COMMON_HEADERS = ["os_id", "contribution_date", "name", "address", "country_code", "country_name",
                  "lat", "lng", "sector"]
CONTRIBUTOR_HEADER = "contributor (list)"
# FacilityDownloadSerializerBase.EXTENDED_FIELDS_HEADERS
EXTENDED_FIELDS_HEADERS = ["number_of_workers", "parent_company", "processing_type_facility_type_raw",
                           "facility_type", "processing_type", "product_type"]
# api/constants.py CLAIMED_DOWNLOAD_FIELDS_MAPPING: (header, approved_claim key)
CLAIMED_DOWNLOAD_FIELDS_MAPPING = [
    ("claim_created_at", "created_at"),
    ("claim_name_in_native_language", "facility_name_native_language"),
    ("claim_company_website", "facility_website"),
    ("claim_company_phone", "facility_phone_number"),
    ("claim_point_of_contact", "point_of_contact_person_name"),
    ("claim_point_of_contact_email", "point_of_contact_email"),
    ("claim_office_name", "office_official_name"),
    ("claim_office_address", "office_address"),
    ("claim_office_country_code", "office_country_code"),
    ("claim_office_phone_number", "office_phone_number"),
    ("claim_description", "facility_description"),
    ("claim_certifications_standards_regulations", "facility_certifications"),
    ("claim_affiliations", "facility_affiliations"),
    ("claim_minimum_order_quantity", "facility_minimum_order_quantity"),
    ("claim_average_lead_time", "facility_average_lead_time"),
    ("claim_female_workers_percentage", "facility_female_workers_percentage"),
    ("claim_industry_sectors", "sector"),
    ("claim_location_types", "facility_type"),
    ("claim_other_location_type", "other_facility_type"),
    ("claim_product_types", "facility_product_types"),
    ("claim_processing_types", "facility_production_types"),
    ("claim_parent_company", "parent_company_name"),
    ("claim_number_of_workers", "facility_workers_count"),
    ("claim_opening_date", "opening_date"),
    ("claim_estimated_annual_throughput_kg_year", "estimated_annual_throughput"),
    ("claim_energy_coal_j", "energy_coal"),
    ("claim_energy_natural_gas_j", "energy_natural_gas"),
    ("claim_energy_diesel_j", "energy_diesel"),
    ("claim_energy_kerosene_j", "energy_kerosene"),
    ("claim_energy_biomass_j", "energy_biomass"),
    ("claim_energy_charcoal_j", "energy_charcoal"),
    ("claim_energy_animal_waste_j", "energy_animal_waste"),
    ("claim_energy_electricity_mwh", "energy_electricity"),
    ("claim_energy_other_j", "energy_other"),
]
CLAIM_HEADERS = [h for h, _ in CLAIMED_DOWNLOAD_FIELDS_MAPPING]
IS_CLOSED_HEADER = "is_closed"
# System partner fields (migrations 0191, 0195; both active): mit_living_wage_download_helper.py,
# wage_indicator_download_helper.py. Non-system partner fields (database content) would sit between
# is_closed and these; this fixture assumes none.
MIT_HEADERS = ["mit_living_wage.county_link", "mit_living_wage.county_link_text"]
WAGE_LINK_TYPES = ["living_wage_link_national", "minimum_wage_link_english", "minimum_wage_link_national"]
WAGE_HEADERS = [h for t in WAGE_LINK_TYPES for h in (f"wage_indicator.{t}", f"wage_indicator.{t}_text")]

DOWNLOAD_HEADERS = (COMMON_HEADERS + [CONTRIBUTOR_HEADER] + EXTENDED_FIELDS_HEADERS + CLAIM_HEADERS
                    + [IS_CLOSED_HEADER] + MIT_HEADERS + WAGE_HEADERS)

# src/contribot/lib/contribot.py check_table(): the template's columns, in order.
UPLOAD_HEADERS = ["country", "name", "address", "sector_product_type", "facility_type_processing_type",
                  "number_of_workers", "parent_company", "lat", "lng"]

# countries/lib/countries.py COUNTRY_CHOICES (the download's country_name)
COUNTRY_NAMES = {"BD": "Bangladesh", "CN": "China", "IN": "India", "KH": "Cambodia", "PK": "Pakistan",
                 "TR": "Türkiye", "VN": "Vietnam"}

# migrations/0193_populate_wage_indicator_data.py (URLs and the three display texts)
WAGE_TEXT = {"living_wage_link_national": "Living Wage in national language",
             "minimum_wage_link_english": "Minimum Wage in English",
             "minimum_wage_link_national": "Minimum Wage in national language"}
WAGE_LINKS = {
    "BD": ("https://mywage.org.bd/salary/living-wages",
           "https://wageindicator.org/salary/minimum-wage/bangladesh/38276-bangladesh",
           "https://mywage.org.bd/salary/minimum-wage/"),
    "KH": ("https://prake.org/salary/living-wages",
           "https://wageindicator.org/salary/minimum-wage/cambodia-1",
           "https://www.prake.org/home/salary/minimum-wages"),
    "CN": ("https://wageindicator.cn/salary/living-wages",
           "https://wageindicator.org/salary/minimum-wage/china-custom",
           "https://wageindicator.cn/salary/minimumwagesinchina"),
    "IN": ("https://paycheck.in/salary/living-wages",
           "https://wageindicator.org/salary/minimum-wage/india",
           "https://paycheck.in/salary/minimumwages"),
    "PK": ("https://paycheck.pk/salary/living-wages",
           "https://wageindicator.org/salary/minimum-wage/pakistan",
           "https://paycheck.pk/salary/minimum-wages/"),
    "TR": ("https://maascetveli.org/maas/adil-yasam-ucreti",
           "https://wageindicator.org/salary/minimum-wage/turkey",
           "https://maascetveli.org/maas/asgari-ucretler"),
    "VN": ("https://luong.com.vn/tien-luong/luong-sinh-hoat-toi-thieu",
           "https://wageindicator.org/salary/minimum-wage/vietnam",
           "https://luong.com.vn/tien-luong/luong-toi-thieu-rate"),
}

# The OSH sector names used below (fixtures/sectors.json, migration 0154, React mockedSectors).
SECTOR_NAMES = {s.lower(): s for s in [
    "Apparel", "Textiles", "Footwear", "Home Textiles", "Electronics", "Consumer Electronics", "Toys",
    "Sporting Goods"]}

# facility_type_processing_type.py: clean(value) -> (facility type, processing type), exact matches
# for the values used below. Only facilities whose sectors include "Apparel" are matched.
TAXONOMY = {
    "knit composite": ("Final Product Assembly", "Knit Composite"),
    "dyeing": ("Printing, Product Dyeing and Laundering", "Dyeing"),
    "cut & sew": ("Final Product Assembly", "Cut & Sew"),
    "sewing": ("Final Product Assembly", "Sewing"),
    "cutting": ("Final Product Assembly", "Cutting"),
    "garment wash": ("Printing, Product Dyeing and Laundering", "Garment Wash"),
    "garment dyeing": ("Printing, Product Dyeing and Laundering", "Garment Dyeing"),
    "laundry": ("Printing, Product Dyeing and Laundering", "Laundry"),
    "sublimation": ("Printing, Product Dyeing and Laundering", "Sublimation"),
    "knitting": ("Textile or Material Production", "Knitting"),
    "linking": ("Final Product Assembly", "Linking"),
    "garment accessories manufacturing": ("Textile or Material Production",
                                          "Garment Accessories manufacturing"),
    "embroidery": ("Textile or Material Production", "Embroidery"),
    "screen printing": ("Printing, Product Dyeing and Laundering", "Screen Printing"),
    "hand dye": ("Printing, Product Dyeing and Laundering", "Hand Dye"),
    "warehousing distribution": ("Warehousing / Distribution", "Warehousing / Distribution"),
    "packing": ("Warehousing / Distribution", "Packing"),
}

CLIENT = "Northwind Retail Group"
CLIENT_LIST = "Northwind Supplier List 2025"


# --------------------------------------------------------------------------------------------
# The 12 facilities. `upload` is the client's own row (raw, as typed); `others` are further
# contributions OSH holds; `claim` is the approved claim, if any.
# --------------------------------------------------------------------------------------------
def contribution(shown, spt="", ftpt="", workers="", parent=""):
    return {"shown": shown, "sector_product_type": spt, "facility_type_processing_type": ftpt,
            "number_of_workers": workers, "parent_company": parent}


FACILITIES = [
    {   # 1 BD, knit composite with a dye house; claimed, Better Work
        "os_id_day": "2021076", "os_id_rand": "7QK2M", "created": "2021-03-17",
        "country": "BD", "upload_country": "Bangladesh",
        "name": "Meghna Knit Composite Ltd.",
        "address": "Plot 14-17, BSCIC Industrial Estate, Konabari, Gazipur 1751",
        "lat": 24.0076, "lng": 90.3432, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Apparel|Knitwear|T-shirts", "Knit Composite|Dyeing", "1001-5000",
                               "Meghna Group"),
        "others": [],
        "claim": {
            "contributor": "Meghna Knit Composite Ltd.", "created_at": "2024-05-14",
            "facility_name_english": "Meghna Knit Composite Ltd.",
            "facility_address": "Plot 14-17, BSCIC Industrial Estate, Konabari, Gazipur 1751",
            "facility_name_native_language": "মেঘনা নিট কম্পোজিট লিমিটেড",
            "facility_website": "https://meghna-knit.example.com", "facility_website_publicly_visible": True,
            "facility_phone_number": "+880 2 9801234", "facility_phone_number_publicly_visible": False,
            "point_of_contact_person_name": "Farhana Akter",
            "point_of_contact_email": "compliance@meghna-knit.example.com",
            "point_of_contact_publicly_visible": True,
            "office_official_name": "Meghna Group Head Office",
            "office_address": "House 42, Road 11, Banani, Dhaka 1213", "office_country_code": "BD",
            "office_phone_number": "+880 2 9887766", "office_info_publicly_visible": True,
            "facility_description": "Vertically integrated knit composite: knitting, dyeing and finishing, "
                                    "cutting, sewing and packing of T-shirts and polo shirts.",
            "facility_certifications": ["Oeko-Tex Standard 100", "GOTS"],
            "facility_affiliations": ["Better Work (ILO)"],
            "facility_minimum_order_quantity": "5000 pieces", "facility_average_lead_time": "75 days",
            "facility_female_workers_percentage": 58,
            "sector": ["Apparel"], "production_types_input": ["Knit Composite", "Dyeing"],
            "other_facility_type": None, "facility_product_types": ["T-shirts", "Polo shirts"],
            "parent_company_name": "Meghna Group", "facility_workers_count": "3200",
            "opening_date": "2009", "estimated_annual_throughput": 4800000,
            "energy_natural_gas": 61000000000000, "energy_electricity": 14500,
        },
    },
    {   # 2 VN, garment; claimed, Better Work + HERfinance; client typed "More than 10000"
        "os_id_day": "2019212", "os_id_rand": "0D3XR", "created": "2019-07-31",
        "country": "VN", "upload_country": "Viet Nam",
        "name": "Lotus River Garment Co., Ltd.",
        "address": "Lot C2, Que Vo Industrial Park, Phuong Lieu Ward, Que Vo, Bac Ninh",
        "lat": 21.1439, "lng": 106.1789, "upload_latlng": True, "closed": False,
        "upload": contribution(None, "Apparel|Jackets|Outerwear", "Cut & Sew", "More than 10000",
                               "Lotus River Holdings"),
        "others": [contribution("Kestrel Outdoor Co.", "Apparel", "Sewing|Cutting", "12000")],
        "claim": {
            "contributor": "Lotus River Garment Co., Ltd.", "created_at": "2023-11-02",
            "facility_name_english": "Lotus River Garment Co., Ltd.",
            "facility_address": "Lot C2, Que Vo Industrial Park, Phuong Lieu Ward, Que Vo, Bac Ninh",
            "facility_name_native_language": "Công ty TNHH May Sông Sen",
            "facility_website": "https://lotusriver-garment.example.com",
            "facility_website_publicly_visible": True,
            "facility_phone_number": "+84 222 3612 345", "facility_phone_number_publicly_visible": True,
            "point_of_contact_person_name": "Nguyen Thi Lan",
            "point_of_contact_email": "lan.nguyen@lotusriver-garment.example.com",
            "point_of_contact_publicly_visible": True,
            "office_official_name": "Lotus River Holdings JSC",
            "office_address": "12 Ly Thai To, Hoan Kiem, Ha Noi", "office_country_code": "VN",
            "office_phone_number": "+84 24 3825 1111", "office_info_publicly_visible": True,
            "facility_description": "Outerwear: padded jackets, parkas and vests for export.",
            "facility_certifications": ["Higg Index", "Oeko-Tex Standard 100"],
            "facility_affiliations": ["Better Work (ILO)", "HERfinance"],
            "facility_minimum_order_quantity": "3000", "facility_average_lead_time": "90 days",
            "facility_female_workers_percentage": 71,
            "sector": ["Apparel"], "production_types_input": [],
            "other_facility_type": None, "facility_product_types": ["Jackets", "Vests"],
            "parent_company_name": "Lotus River Holdings", "facility_workers_count": "12500",
            "opening_date": "2011",
        },
    },
    {   # 3 KH, footwear (no taxonomy matching outside Apparel); client typed "Less than 1000"
        "os_id_day": "2022131", "os_id_rand": "KF91B", "created": "2022-05-11",
        "country": "KH", "upload_country": "KH",
        "name": "Angkor Star Footwear Co., Ltd.",
        "address": "National Road 4, Phum Trapeang Kol, Sangkat Kantaok, Khan Kamboul, Phnom Penh",
        "lat": 11.5236, "lng": 104.7768, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Footwear|Sports shoes", "Stitching|Assembly", "Less than 1000"),
        "others": [],
        "claim": None,
    },
    {   # 4 IN, home textiles mill (weaves and dyes, but non-Apparel: no facility_type); "1|101-500"
        "os_id_day": "2020288", "os_id_rand": "5VZHT", "created": "2020-10-14",
        "country": "IN", "upload_country": "India",
        "name": "Kaveri Home Linen Mills Pvt. Ltd.",
        "address": "SF No. 212/3, Avinashi Road, Karumathampatti, Coimbatore, Tamil Nadu 641659",
        "lat": 11.0334, "lng": 77.1165, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Home Textiles|Bed linen|Towels", "Weaving|Dyeing|Making up", "101-500"),
        "others_first": [contribution("Bluefin Home Retail (Bluefin Vendor List Q3 2025)", "Home Textiles",
                                      "", "1")],
        "others": [],
        "claim": None,
    },
    {   # 5 TR, denim laundry and dye house, Apparel|Textiles; claimed, Fair Wear Foundation
        "os_id_day": "2020034", "os_id_rand": "Q8N4C", "created": "2020-02-03",
        "country": "TR", "upload_country": "Turkey",
        "name": "Ege Denim Yıkama ve Boya San. Tic. A.Ş.",
        "address": "Atatürk Organize Sanayi Bölgesi, 10003 Sokak No: 18, Çiğli, İzmir 35620",
        "lat": 38.4955, "lng": 27.0372, "upload_latlng": True, "closed": False,
        "upload": contribution(None, "Apparel|Textiles|Denim", "Garment Wash|Garment Dyeing|Laundry",
                               "501-1000", "Ege Tekstil Holding"),
        "others": [],
        "claim": {
            "contributor": "Ege Denim Yıkama ve Boya San. Tic. A.Ş.", "created_at": "2025-01-20",
            "facility_name_english": "Ege Denim Washing and Dyeing Industry and Trade Inc.",
            "facility_address": "Atatürk Organize Sanayi Bölgesi, 10003 Sokak No: 18, Çiğli, İzmir 35620",
            "facility_name_native_language": "Ege Denim Yıkama ve Boya San. Tic. A.Ş.",
            "facility_website": "https://egedenim.example.com", "facility_website_publicly_visible": True,
            "facility_phone_number": "+90 232 328 0000", "facility_phone_number_publicly_visible": True,
            "point_of_contact_person_name": "Selin Kaya",
            "point_of_contact_email": "selin.kaya@egedenim.example.com",
            "point_of_contact_publicly_visible": False,
            "office_official_name": "Ege Tekstil Holding A.Ş.", "office_address": "Alsancak, İzmir",
            "office_country_code": "TR", "office_phone_number": "+90 232 464 0000",
            "office_info_publicly_visible": False,
            "facility_description": 'Denim garment laundry: stone, enzyme and "eco" washes.\n'
                                    "Garment dyeing and ozone finishing; own effluent treatment plant.",
            "facility_certifications": ["Bluesign", "Oeko-Tex STeP"],
            "facility_affiliations": ["Fair Wear Foundation", "ZDHC"],
            "facility_minimum_order_quantity": "1000 pieces per wash recipe",
            "facility_average_lead_time": "21 days", "facility_female_workers_percentage": 34,
            "sector": ["Apparel", "Textiles"], "production_types_input": ["Garment Wash", "Garment Dyeing"],
            "other_facility_type": None, "facility_product_types": ["Jeans", "Denim jackets"],
            "parent_company_name": "Ege Tekstil Holding", "facility_workers_count": "820",
            "opening_date": "2004", "estimated_annual_throughput": 4200000,
            "energy_natural_gas": 38000000000000, "energy_electricity": 9600,
        },
    },
    {   # 6 CN, electronics (raw processing text, cleaned by OSH)
        "os_id_day": "2023045", "os_id_rand": "3HW7E", "created": "2023-02-14",
        "country": "CN", "upload_country": "China",
        "name": "Dongguan Brightway Electronics Co., Ltd.",
        "address": "No. 8 Keji Road, Songshan Lake Hi-tech Industrial Park, Dongguan, Guangdong 523808",
        "lat": 22.9265, "lng": 113.8871, "upload_latlng": True, "closed": False,
        "upload": contribution(None, "Electronics|Consumer Electronics|Power adapters", "SMT / Assembly",
                               "2000-3000"),
        "others": [contribution("Larkspur Electronics Sourcing", "Electronics", "", "2500")],
        "claim": None,
    },
    {   # 7 CN, toys; claimed (non-Apparel claim: no location types)
        "os_id_day": "2022300", "os_id_rand": "MZ6P0", "created": "2022-10-27",
        "country": "CN", "upload_country": "China",
        "name": "Ningbo Happy Cub Toys Co., Ltd.",
        "address": "No. 66 Binhai 2nd Road, Hangzhou Bay New Zone, Ningbo, Zhejiang 315336",
        "lat": 30.3312, "lng": 121.2185, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Toys|Plush toys|Wooden toys", "Injection molding|Painting|Assembly|Packing",
                               "350", "Happy Cub Holdings Ltd."),
        "others": [contribution("Maple & Pine Toys (Maple & Pine Factory List 2024)", "Toys", "", "")],
        "claim": {
            "contributor": "Ningbo Happy Cub Toys Co., Ltd.", "created_at": "2024-09-03",
            "facility_name_english": "Ningbo Happy Cub Toys Co., Ltd.",
            "facility_address": "No. 66 Binhai 2nd Road, Hangzhou Bay New Zone, Ningbo, Zhejiang 315336",
            "facility_name_native_language": "宁波开心熊玩具有限公司",
            "facility_website": "", "facility_website_publicly_visible": False,
            "facility_phone_number": "+86 574 6300 0000", "facility_phone_number_publicly_visible": False,
            "point_of_contact_person_name": "Chen Jing", "point_of_contact_email": "chen.jing@happycub.example.com",
            "point_of_contact_publicly_visible": False,
            "office_official_name": "", "office_address": "", "office_country_code": "",
            "office_phone_number": "", "office_info_publicly_visible": False,
            "facility_description": "Plush and wooden toys; injection-moulded parts made in house.",
            "facility_certifications": ["ISO 9000"], "facility_affiliations": [],
            "facility_minimum_order_quantity": "", "facility_average_lead_time": "45 days",
            "facility_female_workers_percentage": 63,
            "sector": ["Toys"], "production_types_input": ["Injection molding", "Assembly"],
            "other_facility_type": None, "facility_product_types": ["Plush toys"],
            "parent_company_name": "Happy Cub Holdings Ltd.", "facility_workers_count": "380",
            "opening_date": "2015",
        },
    },
    {   # 8 PK, sportswear, Apparel|Sporting Goods; one anonymous contributor
        "os_id_day": "2021199", "os_id_rand": "B2T5S", "created": "2021-07-18",
        "country": "PK", "upload_country": "Pakistan",
        "name": "Indus Sportswear (Pvt.) Ltd.",
        "address": "Small Industrial Estate, Ugoki Road, Sialkot 51310",
        "lat": 32.4972, "lng": 74.5361, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Apparel|Sporting Goods|Team kits", "Cut & Sew|Sublimation", "501-1000"),
        "others": [contribution("A Brand / Retailer", "Apparel", "", "")],
        "claim": None,
    },
    {   # 9 BD, sweater factory, CLOSED
        "os_id_day": "2019103", "os_id_rand": "H4RYA", "created": "2019-04-13",
        "country": "BD", "upload_country": "Bangladesh",
        "name": "Rupganj Sweaters Ltd.",
        "address": "Holding 112, Tarabo Pourashava, Rupganj, Narayanganj 1460",
        "lat": 23.7262, "lng": 90.5201, "upload_latlng": False, "closed": True,
        "upload": contribution(None, "Apparel|Sweaters", "Knitting|Linking", "800"),
        "others": [contribution("An Auditor / Certification Scheme / Service Provider", "Apparel", "", "")],
        "claim": None,
    },
    {   # 10 VN, trims and labels (component production)
        "os_id_day": "2024017", "os_id_rand": "9CJ3D", "created": "2024-01-17",
        "country": "VN", "upload_country": "Viet Nam",
        "name": "Dong Nai Trims & Labels Co., Ltd.",
        "address": "Road 9, Nhon Trach 2 Industrial Park, Nhon Trach District, Dong Nai",
        "lat": 10.7402, "lng": 106.9065, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Apparel|Labels|Zippers",
                               "Garment Accessories manufacturing|Embroidery", "250"),
        "others": [],
        "claim": None,
    },
    {   # 11 IN, hand block and screen printing, Apparel|Home Textiles (wet)
        "os_id_day": "2023177", "os_id_rand": "XW0N8", "created": "2023-06-26",
        "country": "IN", "upload_country": "India",
        "name": "Sanganer Hand Block Prints",
        "address": "Plot G-84, Sitapura Industrial Area, Jaipur, Rajasthan 302022",
        "lat": 26.7798, "lng": 75.8447, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Apparel|Home Textiles|Kurtas|Cushion covers", "Screen Printing|Hand Dye",
                               "120"),
        "others": [],
        "claim": None,
    },
    {   # 12 KH, warehouse and packing
        "os_id_day": "2025069", "os_id_rand": "T7E1K", "created": "2025-03-10",
        "country": "KH", "upload_country": "Cambodia",
        "name": "Mekong Logistics Park Warehouse B",
        "address": "Phnom Penh Special Economic Zone, National Road 4, Sangkat Chaom Chau, Khan Pur Senchey, "
                   "Phnom Penh",
        "lat": 11.5027, "lng": 104.8194, "upload_latlng": False, "closed": False,
        "upload": contribution(None, "Apparel", "Warehousing / Distribution|Packing", "85",
                               "Mekong Logistics Group"),
        "others": [],
        "claim": None,
    },
]


# --------------------------------------------------------------------------------------------
# OSH's rules
# --------------------------------------------------------------------------------------------
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def os_id(country, day, rand):
    """os_id.py make_os_id: country + year/day-of-year + 5 base-32 characters + check character."""
    short = country + day + rand
    total = ord(short[0]) + ord(short[1]) + sum(CROCKFORD.index(c) for c in short[2:])
    return short + CROCKFORD[total % 32]


SPLIT = re.compile(r", |,|\|")  # contricleaner SerializationHandler split_pattern


def split_values(value):
    out = []
    for v in SPLIT.split(value):
        if v not in out:
            out.append(v)
    return out


def clean(value):
    """helpers.clean (ASCII input)."""
    v = value.replace("\n", " ").replace("-", "").replace("/", " ").replace("'", "").replace(",", "")
    v = re.sub(" +", " ", v.replace(":", " "))
    return v.strip().strip('"').strip("'").lower().strip() or None


def clean_raw_data(value):
    """facility_type_processing_type.clean_raw_data: as clean() but keeps case and apostrophes."""
    v = value.replace("\n", " ").replace("-", "").replace("/", " ").replace(",", "")
    v = re.sub(" +", " ", v.replace(":", " "))
    return v.strip().strip('"').strip("'").strip() or None


def match(value, sectors):
    """get_facility_and_processing_type -> (facility type, processing type)."""
    if "Apparel" not in sectors:
        return None, clean_raw_data(value)      # SKIPPED_MATCHING
    return TAXONOMY[clean(value)]


def parse_sector_product_type(spt):
    """RowSectorSerializer: known sector names become sectors, the rest product types (both sorted)."""
    sectors, products = [], []
    for v in split_values(spt):
        (sectors if v.lower().strip() in SECTOR_NAMES else products).append(
            SECTOR_NAMES.get(v.lower().strip(), v))
    return sorted(sectors) or ["Unspecified"], sorted(products)


def workers_cell(text):
    """extended_fields.extract_int_range_value + csv_download: 'max' if min == max else 'min-max'."""
    nums = [int(float(x)) for x in re.findall(r"([0-9.]+)", str(text).replace(",", ""))]
    lo, hi = min(nums, default=0), max(nums, default=0)
    return str(hi) if lo == hi else f"{lo}-{hi}"


def dedupe(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def contributions(f):
    client = dict(f["upload"], shown=f"{CLIENT} ({CLIENT_LIST})")
    return f.get("others_first", []) + [client] + f["others"]


def ext_fields(f):
    """The six extended-field cells (csv_download.format_download_extended_fields), contributions first,
    then the claim's extended fields (extended_fields.CLAIM_FIELDS)."""
    workers, parents, raw, ftypes, ptypes, products = [], [], [], [], [], []
    for c in contributions(f):
        sectors, prods = parse_sector_product_type(c["sector_product_type"])
        if c["number_of_workers"]:
            workers.append(workers_cell(c["number_of_workers"]))
        if c["parent_company"]:
            parents.append(c["parent_company"])
        if c["facility_type_processing_type"]:
            value = c["facility_type_processing_type"]
            raw = dedupe(raw + value.split("|"))               # value_to_set: split on '|' only
            matched = [match(v, sectors) for v in split_values(value)]
            ftypes += [m[0] for m in matched if m[0]]          # facility_type extended field
            ptypes += [m[1] for m in matched if m[1]]          # processing_type extended field
        products += prods
    claim = f["claim"]
    if claim:
        workers.append(workers_cell(claim["facility_workers_count"]))
        parents.append(claim["parent_company_name"])
        if claim["production_types_input"]:
            values = [v.strip().capitalize() for v in claim["production_types_input"]]  # is_claim_edit
            raw = dedupe(raw + values)
            matched = [match(v, claim["sector"]) for v in values]
            ftypes += [m[0] for m in matched if m[0]]
            ptypes += [m[1] for m in matched if m[1]]
        products += claim["facility_product_types"]
    return ["|".join(x) for x in (workers, parents, raw, ftypes, ptypes, products)]


VISIBLE_IF = {  # FacilityClaim.change_conditions
    "facility_phone_number": "facility_phone_number_publicly_visible",
    "facility_website": "facility_website_publicly_visible",
    "point_of_contact_person_name": "point_of_contact_publicly_visible",
    "point_of_contact_email": "point_of_contact_publicly_visible",
    "office_official_name": "office_info_publicly_visible",
    "office_address": "office_info_publicly_visible",
    "office_country_code": "office_info_publicly_visible",
    "office_phone_number": "office_info_publicly_visible",
}


def claim_cells(claim):
    """csv_download.format_download_claimed_fields: '' when unclaimed or hidden; lists ', '-joined."""
    if not claim:
        return [""] * len(CLAIMED_DOWNLOAD_FIELDS_MAPPING)
    c = dict(claim)
    if c["production_types_input"]:  # extended_fields.update_claim_fields after matching
        values = [v.strip().capitalize() for v in c["production_types_input"]]
        matched = [match(v, c["sector"]) for v in values]
        c["facility_production_types"] = dedupe(m[1] for m in matched if m[1]) or None
        c["facility_type"] = "|".join(dedupe(m[0] for m in matched if m[0])) or None
    cells = []
    for _, key in CLAIMED_DOWNLOAD_FIELDS_MAPPING:
        if key in VISIBLE_IF and not c.get(VISIBLE_IF[key]):
            cells.append("")
            continue
        value = c.get(key)
        if value is None:
            cells.append("")
        elif isinstance(value, list):
            cells.append(", ".join(str(v) for v in value))
        else:
            cells.append(str(value))
    return cells


def download_rows():
    rows = []
    for f in FACILITIES:
        claim = f["claim"]
        sectors = set()
        for c in contributions(f):
            sectors.update(parse_sector_product_type(c["sector_product_type"])[0])
        if claim:
            sectors.update(claim["sector"])
        shown = ([f"{claim['contributor']} (Claimed)"] if claim else []) + [c["shown"] for c in contributions(f)]
        links = WAGE_LINKS.get(f["country"])
        wage = [x for i, t in enumerate(WAGE_LINK_TYPES) for x in (links[i], WAGE_TEXT[t])] if links else [""] * 6
        rows.append([
            os_id(f["country"], f["os_id_day"], f["os_id_rand"]),
            f["created"],
            (claim or {}).get("facility_name_english") or f["name"],
            (claim or {}).get("facility_address") or f["address"],
            f["country"],
            COUNTRY_NAMES[f["country"]],
            f["lat"],
            f["lng"],
            "|".join(s.title() for s in sorted(sectors)),
            "|".join(shown),
            *ext_fields(f),
            *claim_cells(claim),
            str(f["closed"]),
            "", "",
            *wage,
        ])
    rows.sort(key=lambda r: r[0])  # FacilitiesDownloadService: order_by('id')
    assert all(len(r) == len(DOWNLOAD_HEADERS) for r in rows)
    return rows


def upload_rows():
    rows = []
    for f in FACILITIES:
        u = f["upload"]
        rows.append([f["upload_country"], f["name"], f["address"], u["sector_product_type"],
                     u["facility_type_processing_type"], u["number_of_workers"], u["parent_company"],
                     f["lat"] if f["upload_latlng"] else "", f["lng"] if f["upload_latlng"] else ""])
    return rows


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------
def js_number(x):
    """String(x) for a JavaScript number: 90.0 -> '90', 23.8103 -> '23.8103'."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def osh_csv(rows):
    """util.js joinDataIntoCSVString: numbers bare; other cells '"' + value with '"' doubled and '\n'
    replaced by ' ' + '"'; cells joined by ','; every row ends with '\n'."""
    out = []
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(js_number(v))
            else:
                cells.append('"' + str(v).replace('"', '""').replace("\n", " ") + '"')
        out.append(",".join(cells) + "\n")
    return "".join(out)


def write_xlsx(path, sheet, rows):
    """One sheet; '' cells left empty (SheetJS writes them as empty text cells; both read back blank)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.properties.creator = "make_fixtures.py"
    wb.properties.created = wb.properties.modified = datetime.datetime(2026, 1, 1)
    wb.save(path)
    _pin_timestamps(path)


def _pin_timestamps(path):
    """openpyxl stamps the save time into docProps/core.xml and the zip entries; pin both so the
    file is byte-for-byte repeatable."""
    with zipfile.ZipFile(path) as z:
        members = [(n, z.read(n)) for n in z.namelist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2026-01-01T00:00:00Z\2", data)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def upload_csv(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow([js_number(v) if isinstance(v, float) else v for v in row])
    return "\ufeff" + buf.getvalue()


def upload_xlsx_value(v):
    """Excel users' cells: plain integers and coordinates as numbers, everything else text."""
    if isinstance(v, str) and re.fullmatch(r"\d+", v):
        return int(v)
    return v


def main():
    HERE.mkdir(parents=True, exist_ok=True)
    drows = [DOWNLOAD_HEADERS] + download_rows()
    (HERE / "facilities-download.csv").write_bytes(osh_csv(drows).encode("utf-8"))
    write_xlsx(HERE / "facilities-download.xlsx", "facilities", drows)

    urows = upload_rows()
    (HERE / "upload-template.csv").write_bytes(upload_csv([UPLOAD_HEADERS] + urows).encode("utf-8"))
    write_xlsx(HERE / "upload-template.xlsx", "Sheet1",
               [UPLOAD_HEADERS] + [[upload_xlsx_value(v) for v in r] for r in urows])
    print(f"wrote 4 files to {HERE}: {len(drows) - 1} facilities, {len(DOWNLOAD_HEADERS)} download columns")


if __name__ == "__main__":
    main()
