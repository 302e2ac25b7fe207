"""Helpers of the residents' import tests: valid (and one invalid) ID numbers, and a
ledger as a community keeps it."""

import io

from openpyxl import Workbook
from stdnum.cn.ric import calc_check_digit


def valid_id(body17: str) -> str:
    return body17 + calc_check_digit(body17 + "0")


ID1 = valid_id("44160219800101001")
ID2 = valid_id("44160219820202002")
ID3 = valid_id("44160220100303003")
BAD_CHECK = ID2[:-1] + ("0" if ID2[-1] != "0" else "1")


def ledger(rows, *, title="新港路社区居民信息登记表"):
    """An .xlsx as a community keeps it: a merged title row, then a two-row header whose
    single-row columns are merged vertically and whose ID columns sit under a group."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.merge_cells("A1:H1")
    sheet.append(["序号", "姓名", "证件信息", None, "联系电话", "楼栋", "门牌号", "与户主关系"])
    sheet.append([None, None, "公民身份号码", "证件类型", None, None, None, None])
    for column in "ABEFGH":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("C2:D2")
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ("王小明", ID1, "身份证", "13800138000", "1栋", "502", "户主"),
    ("李小红", ID2, "身份证", "139 0000 1111", "1栋", "502", "妻子"),
    ("王小宝", ID3, "身份证", "", "2栋", "301", "子"),
]
